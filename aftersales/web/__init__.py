"""What every staff and buyer page shares, whichever app it belongs to: who is asking and in which role
(`access`), coded errors shown in the user's language (`errors`), the words for stored codes (`labels`)
and form fields (`fields`). It imports no app's pages, so every app's pages may use it."""

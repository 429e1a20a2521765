"""What serving a request needs before any app is involved: request body limits, the client's address
behind trusted proxies, throttling of guesses, spreadsheet downloads. Imports Django and the pure core,
never an app, so every app's pages and API may use it."""

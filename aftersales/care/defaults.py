"""The reply templates every shop starts with, in Simplified Chinese and English.

Placeholders in braces are filled from the case when an agent picks the template (see
`care.services.PLACEHOLDERS`).
"""

from __future__ import annotations

# (kind, language, name, body)
DEFAULT_TEMPLATES: tuple[tuple[str, str, str, str], ...] = (
    ("apology", "zh-hans", "致歉安抚",
     "亲爱的{buyer_nick}，非常抱歉给您带来了不好的购物体验！您的售后单 {case_number}（订单 {order_number}）"
     "我们已经收到，专属客服正在全力为您处理，会在 {deadline} 前给您答复。给您添麻烦了，再次向您致歉。"),
    ("solution", "zh-hans", "解决方案",
     "亲爱的{buyer_nick}，关于售后单 {case_number}，我们为您准备的方案是：退款 {requested_amount}，"
     "原路退回到您的支付账户。如您同意，我们将立即为您办理；如有其他想法也请随时告诉我们。"),
    ("progress", "zh-hans", "进度告知",
     "亲爱的{buyer_nick}，您的售后单 {case_number} 目前状态：{status}。我们每天都会跟进并同步进度，"
     "下一步预计在 {deadline} 前完成。感谢您的耐心等待！"),
    ("solution", "zh-hans", "退款已到账提醒",
     "亲爱的{buyer_nick}，售后单 {case_number} 的退款 {refunded_amount} 已原路退回，"
     "一般 1–3 个工作日到账，请留意查收。感谢您对{shop_name}的支持！"),
    ("apology", "en", "Apology",
     "Dear {buyer_nick}, we are very sorry for the trouble with your order {order_number}. Your request "
     "{case_number} is with our team and you will hear from us before {deadline}. Thank you for your patience."),
    ("solution", "en", "Proposed solution",
     "Dear {buyer_nick}, for request {case_number} we propose a refund of {requested_amount} to your original "
     "payment method. Reply to accept, or tell us what would suit you better."),
    ("progress", "en", "Progress update",
     "Dear {buyer_nick}, an update on request {case_number}: it is now \u201c{status}\u201d. We follow it up "
     "every day; the next step is due before {deadline}. Thank you for waiting."),
    ("solution", "en", "Refund sent",
     "Dear {buyer_nick}, the refund of {refunded_amount} for request {case_number} has been sent back to your "
     "original payment method and usually arrives within 1\u20133 working days. Thank you for shopping at "
     "{shop_name}."),
)

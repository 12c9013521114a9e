"""What the demo's customers ask Tallybook about (type, department, product, subject, body and the
answer that settles it), and the internal tasks agents open for each other. The placeholders are
texts.py's."""

# What customers open tickets about: type, department, product (or None), subject, body, and the
# agent's answer that solves or settles it.
OPENERS = [
    (
        "question",
        "Billing",
        "Tallybook Invoicing",
        "How do I add our VAT number to invoices?",
        "Hi,\n\nOur accountant wants our VAT number on every invoice we send. I looked under "
        "**Settings → Business details** but there is no field for it.\n\nWhere do I set this?",
        "You can add it under **Settings → Invoicing → Tax details** (not Business details; I agree "
        "that is confusing). New invoices show it straight away. To update ones already sent, open the "
        "invoice and choose **Re-issue**.",
    ),
    (
        "question",
        "Billing",
        None,
        "Please send our invoices to accounts@ instead",
        "Hello, could you change the address our Tallybook subscription invoices go to? Our bookkeeper "
        "handles them now, so they should go to our accounts mailbox rather than to me.",
        "Done: from the next billing run, invoices go to the new address. You can change it yourself "
        "any time under **Account → Billing contact**.",
    ),
    (
        "question",
        "Billing",
        None,
        "We were charged twice this month",
        "Hi there,\n\nOur bank statement shows **two** charges of {amount} EUR from Tallybook on the same "
        "day. We only have one subscription. Can you check and refund the extra one?",
        "You are right, the payment provider retried a charge that had in fact gone through. I have "
        "refunded the second {amount} EUR; it takes 3–5 business days to show on your statement. "
        "Sorry for the trouble!",
    ),
    (
        "question",
        "Billing",
        None,
        "Switching from monthly to yearly billing",
        "We have been on the monthly plan for a year and are happy. If we switch to yearly, do we get "
        "the discount, and what happens to the month we have already paid?",
        "Yes, the yearly plan is two months cheaper. When you switch under **Account → Plan**, the "
        "unused part of this month is credited against the first yearly invoice automatically.",
    ),
    (
        "question",
        "Technical support",
        "Tallybook Bookings",
        "Can clients book two services in one visit?",
        "Many of our clients want a cut *and* a colour in the same visit. At the moment they have to "
        "make two separate bookings. Is there a way to let them pick both at once?",
        "Yes: turn on **Settings → Booking page → Allow multiple services**. Clients can then add "
        "services to one booking, and the times are added up so the slot fits both.",
    ),
    (
        "question",
        "Technical support",
        "Tallybook Bookings",
        "How do I block out staff holidays?",
        "One of my therapists is away for two weeks in {month}. How do I stop clients booking her "
        "without deleting her from the system?",
        "Open **Staff → her name → Time off** and add the dates. Existing bookings stay, and the "
        "booking page hides her for those days. Tip: you can also add recurring days off there.",
    ),
    (
        "question",
        "Technical support",
        "Mobile app",
        "Booking notifications stopped on my iPhone",
        "Since last week I no longer get the *New booking* notification on my phone. Email "
        "notifications still arrive. I haven't changed anything in the app.",
        "A recent iOS update switched notifications off for some apps. Please check **iPhone "
        "Settings → Notifications → Tallybook** and make sure *Allow notifications* is on, then log "
        "out and back in to the app so it registers again.",
    ),
    (
        "question",
        "Hardware",
        "Card reader T2",
        "Card reader won't pair with our new tablet",
        "We replaced the front-desk tablet and now the T2 reader doesn't show up in Bluetooth. The "
        "light on the reader blinks blue. The old tablet is gone, so we cannot unpair it there.",
        "The reader still remembers the old tablet. Hold the power button for **10 seconds** until "
        "the light turns purple; that clears its pairings. Then pair it from **Tallybook → Settings "
        "→ Payments → Card reader** rather than from the tablet's Bluetooth menu.",
    ),
    (
        "question",
        "Hardware",
        "Receipt printer RP-80",
        "Receipt printer prints blank paper",
        "The RP-80 feeds paper and cuts it, but the receipts come out completely blank. We changed "
        "the roll this morning.",
        "That is almost always the roll inserted the wrong way round: thermal paper only prints on "
        "one side. Flip the roll so the paper comes out from underneath, and it should print again.",
    ),
    (
        "question",
        "General",
        None,
        "Do you offer training for new staff?",
        "We are hiring {count} new receptionists next month. Is there a training session or video "
        "that shows the day-to-day basics, so I don't have to walk everyone through it myself?",
        "We run a free 45-minute online training every Tuesday at 10:00; your new staff can sign up "
        "at the link in **Help → Training**. There are also short videos for each screen in the Help "
        "menu.",
    ),
    (
        "question",
        "General",
        None,
        "Request for a copy of all our client data",
        "For our own records (and because a client asked), I'd like an export of **all** client "
        "data we hold in Tallybook: names, contact details, bookings and invoices.",
        "You can download everything yourself under **Settings → Data → Export** as a zip of CSV "
        "files. If you need one client's data only, open the client and choose **Export client "
        "data**.",
    ),
    (
        "question",
        "Technical support",
        "Tallybook Invoicing",
        "Importing our clients from a spreadsheet",
        "We are moving from paper and have about {n} clients in a spreadsheet. Can we import them "
        "instead of typing them in? I've attached our file.",
        "Yes. Go to **Clients → Import**, choose your file and match the columns. Your file looks "
        "fine; just make sure phone numbers include the country code so SMS reminders work.",
    ),
    (
        "question",
        "Hardware",
        "Card reader T2",
        "Ordering two more card readers",
        "We are opening a second room and need two more T2 readers. Can we order them through you, "
        "and will they work on the same account?",
        "Of course. I have sent you a quote for two T2 readers; once you accept it they ship within "
        "two business days. They work on the same account; each one just needs pairing once.",
    ),
    (
        "bug",
        "Technical support",
        "Tallybook Bookings",
        "Booking page shows the wrong time zone",
        "Clients booking online see times **one hour later** than our real opening hours. Our "
        "account is set to Europe/Berlin. This started after the clocks changed.",
        "Thanks for the details. The booking page used the browser's offset from before the clock "
        "change for cached pages. A fix went out this morning; please reload the page and check.",
    ),
    (
        "bug",
        "Technical support",
        "Tallybook Invoicing",
        "PDF invoice cuts off the last line item",
        "When an invoice has more than about 12 lines, the PDF version drops the last line. The "
        "total is still right, which confuses our clients. Example: invoice {inv}.",
        "The page break was calculated without the footer. This is fixed now; re-download {inv} and "
        "the last line is there. Invoices you already emailed can be re-sent from the invoice page.",
    ),
    (
        "bug",
        "Technical support",
        "Mobile app",
        "App crashes when I open the calendar",
        "The Android app closes as soon as I tap **Calendar**. Everything else works. I have tried reinstalling it.",
        "Thank you for your patience. The crash came from one booking with an empty service name; "
        "version 4.12 of the app handles it. Please update from the Play Store.",
    ),
    (
        "bug",
        "Technical support",
        "Tallybook Bookings",
        "Reminder SMS sent twice",
        "Several clients told us they got the appointment reminder **twice**, a few minutes apart. "
        "This is for bookings tomorrow.",
        "We found a retry that sent reminders again when the SMS provider answered slowly. It is "
        "fixed, and duplicate reminders are not charged to your SMS credit.",
    ),
    (
        "bug",
        "Billing",
        "Tallybook Invoicing",
        "Discount applied twice on recurring invoices",
        "A client with a 10% discount on their monthly package was invoiced with 20% off this month "
        "(invoice {inv}). Last month was fine.",
        "The discount was applied both to the package and to the invoice. I have corrected {inv} and "
        "issued a credit note; the fix for recurring invoices is live.",
    ),
    (
        "bug",
        "Hardware",
        "Receipt printer RP-80",
        "Printer stops after every third receipt",
        "The RP-80 prints two or three receipts and then stops responding until we switch it off and "
        "on. Paper and cable are fine. I've attached the printer's log.",
        "The log shows the printer going to sleep too early. Firmware 2.4 fixes it; you can install "
        "it from **Settings → Devices → RP-80 → Update**. It takes about two minutes.",
    ),
    (
        "bug",
        "Technical support",
        "Tallybook Bookings",
        "Google Calendar sync duplicates appointments",
        "Since connecting Google Calendar, every appointment appears twice in Google. Changing one "
        "copy doesn't change the other.",
        "Two sync connections had been created for your account. I removed the older one; the "
        "duplicates disappear at the next sync, within 15 minutes.",
    ),
    (
        "feature",
        "Technical support",
        "Tallybook Bookings",
        "Waiting list for fully booked classes",
        "Our evening classes fill up within hours. It would be great if clients could join a "
        "**waiting list** and get a message when a spot frees up.",
        "Thanks, that is a great suggestion and several studios have asked for the same. There is no "
        "waiting list yet; for now, you can allow overbooking by one or two spots per class.",
    ),
    (
        "feature",
        "Billing",
        "Tallybook Invoicing",
        "QR code for bank transfer on invoices",
        "Many of our clients pay by bank transfer. A payment QR code on the invoice (the kind "
        "banking apps can scan) would save them typing and save us chasing wrong references.",
        "Good idea, and it would cut down on payments with wrong references. It is not possible yet; "
        "in the meantime, the *payment link* option lets clients pay by card from the invoice email.",
    ),
    (
        "feature",
        "Technical support",
        "Mobile app",
        "Dark mode for the app",
        "Could the app get a dark mode? We use it in a dim treatment room and the white screen is really bright.",
        "Thanks for the suggestion! The app follows the phone's text size but not dark mode yet. "
        "Lowering the brightness is the only workaround for now.",
    ),
    (
        "feature",
        "Technical support",
        "Tallybook Bookings",
        "Ask for a deposit when clients book",
        "We lose money on no-shows. Could clients pay a **deposit** (say 20%) when they book online, "
        "deducted from the final bill?",
        "Deposits are on our list. Today you can require a card on file for online bookings and charge "
        "a no-show fee from the booking page, which covers part of it.",
    ),
    (
        "feature",
        "Billing",
        "Tallybook Invoicing",
        "Export invoices for our accounting software",
        "Every month I copy our invoices into the accounting software by hand. An export in a format "
        "it can import (CSV with the right columns, or a direct connection) would save me hours.",
        "Thank you; that is a common request. The CSV export under **Invoices → Export** covers most "
        "of it; tell us which software you use and we will check its import format.",
    ),
    (
        "feature",
        "General",
        None,
        "Several locations under one account",
        "We are opening a second location. Could we manage both from one account, with separate "
        "calendars and reports per location?",
        "Multi-location accounts are planned. Until then, the simplest way is a second account; we "
        "can link the two for billing so you get one invoice.",
    ),
]

# Internal tasks agents open for each other: subject and body; no customer involved.
TASKS = [
    (
        "Update the help article on paper rolls",
        "The RP-80 article still shows the old roll size. Please update it and add a photo of the "
        "right orientation; we keep getting *blank receipt* tickets.",
    ),
    (
        "Check Harbour Dental's renewal before the 1st",
        "Their yearly plan renews on the 1st and the card on file expires this month. Please "
        "contact them before the renewal fails.",
    ),
    (
        "Restock demo card readers for the office",
        "We have one demo T2 left. Order three more so the sales team can take them to visits.",
    ),
    (
        "Review canned replies after the price change",
        "Canned replies *Plans and prices* and *Switching plans* still mention the old prices. "
        "Please review them before Monday.",
    ),
]

TASK_NOTES = [
    "Started on this; should be done by end of day.",
    "Done the first half. Waiting on the new photos from {colleague}.",
    "Checked with {colleague}: we can go ahead.",
    "Ordered; delivery expected on Thursday.",
]

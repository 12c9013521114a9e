"""The phrases of the demo desk's conversations (the people are company.py's, the requests
requests.py's): Tallybook, a small company selling booking and invoicing software
to salons, clinics and studios, plus the card readers and receipt printers that go with it.

Placeholders filled per ticket: {first} (the customer's first name), {agent} (the agent's first
name), {colleague} (another agent's first name), {product}, {inv} (an invoice number), {n} (a
number), {serial}, {amount}, {count} and {month}. Every text may use any of them.
"""

# Clarifying questions an agent asks, by department, each with the customer's answer.
ASKS = {
    "Billing": [
        (
            "Thanks for getting in touch, {first}. Could you send me the invoice number (it starts with "
            "*INV-*) and the date of the charge? Then I can look it up straight away.",
            "It's invoice {inv}, charged on the {count}th. I've attached the PDF we received.",
        ),
        (
            "Happy to help. So I look at the right account: which email address is the Tallybook "
            "subscription registered to?",
            "It's registered to this address, the one I'm writing from.",
        ),
    ],
    "Technical support": [
        (
            "Thanks for the report, {first}. A few questions so we can reproduce it:\n\n"
            "1. Which browser or app version are you using?\n2. Does it happen for every booking or only "
            "some?\n3. Could you send a screenshot of what you see?",
            "1. Latest Chrome on Windows, and the app on my phone.\n2. Every booking, as far as I can "
            "tell.\n3. I've attached a screenshot.",
        ),
        (
            "Sorry about this! Could you tell me roughly when it started, and whether it happens on other devices too?",
            "It started on Monday, I think. Same on the front desk PC and on my phone.",
        ),
    ],
    "Hardware": [
        (
            "Thanks, {first}. Could you send me the serial number from the label underneath the device "
            "and tell me what the status light is doing?",
            "The serial is {serial}. The light blinks blue three times, then goes off. I've attached "
            "the log from the settings page.",
        ),
        (
            "Sorry to hear that. Could you try a different power socket and cable first, and let me know "
            "if anything changes?",
            "I tried another socket and cable; no change, unfortunately.",
        ),
    ],
    "General": [
        (
            "Thanks for your message, {first}. Could you tell me a bit more about what you need, so I "
            "pass this to the right person?",
            "Of course: it's for all {count} of our staff, and we'd like it sorted before the end of the month.",
        ),
    ],
}

CUSTOMER_NUDGES = [
    "Any news on this? It's getting a bit urgent for us.",
    "Just adding: it happened again this morning with two more clients.",
    "One more detail I forgot: we're on the Studio plan, if that matters.",
    "Hello? We have a busy weekend coming up, so a quick answer would be great.",
    "Sorry, I forgot it earlier: the screenshot is attached.",
]

CUSTOMER_THANKS = [
    "That did it. Thank you so much!",
    "Perfect, it works now. Thanks for the quick help.",
    "Great, all sorted on our side. Have a nice day!",
    "Thanks! That was easier than I thought.",
    "Confirmed, everything looks right now. Much appreciated.",
]

# What customers write when they rate a closed ticket, by score.
RATING_COMMENTS = {
    5: ["Quick and friendly, thank you!", "Solved in one reply. Great service.", "Tom explained it really clearly."],
    4: ["Good help, took a day longer than I hoped.", "Sorted in the end, thanks."],
    3: ["Fixed, but I had to explain the problem twice."],
    2: ["It works now, but it took a lot of back and forth."],
    1: ["Closed before it was actually fixed."],
}

CUSTOMER_REOPENS = [
    "Sorry to come back to this, but it happened again today.",
    "It worked for a few days and now the same problem is back.",
    "Quick follow-up: the fix worked on one device but not on the other one.",
]

CUSTOMER_ON_HOLD = [
    "Thanks for passing it on. Any idea when this might be ready?",
    "Good to know you're on it. Three more of our staff ran into this today.",
    "Thanks. We'd be happy to test it early if that helps.",
]

AGENT_FEATURE_FILED = [
    "Thanks for the idea, {first}! I have filed it as a feature request with our product team and "
    "added your details, so we can let you know when it ships. I can't promise a date yet.",
    "I've passed this on to our product team as a feature request. You are not the first to ask, "
    "which helps it move up the list. We'll update this ticket when there is news.",
]

AGENT_BUG_FILED = [
    "Thanks, {first}, that helped a lot. I could reproduce the problem and our developers now "
    "have a bug report. I'll update this ticket as soon as a fix is out.",
    "We can see the same thing on our side, so it is a bug in Tallybook, not your setup. It is "
    "filed with the developers with high priority; I'll let you know here when it is fixed.",
]

AGENT_CLOSING = [
    "Glad to hear it! I'll close this ticket now; just reply if anything else comes up.",
    "Great, thanks for confirming. Closing this one.",
    "Happy to help. I'm closing the ticket, but a reply here will reopen it.",
]

AGENT_DIRECT_CLOSE = "\n\nI'll close this ticket now; just reply here if anything else comes up."

AGENT_CHECK_IN = [
    "Just checking in: did the steps above help? If I don't hear back, I'll assume it's solved.",
    "Did you get a chance to try this? Let me know either way.",
]

INTERNAL_NOTES = [
    "Checked the account: on the Studio plan, paid up, {count} staff seats.",
    "Looks like the same issue as last week's tickets; see the note in the team channel.",
    "@{colleague} can you take a look? You know this customer's setup better than me.",
    "Called them back, no answer. Left a voicemail.",
    "Customer is a bit frustrated. Let's make sure we answer today.",
    "Not billing-related after all; moving it along.",
    "Long-time customer, very friendly. Happy to give them some leeway here.",
    "Tried it on my test account and could not reproduce it yet.",
]

INTERNAL_BUG_NOTES = [
    "Reproduced on staging. Filed as BUG-{n} with steps and a screenshot.",
    "Confirmed with the developers: known issue, tracked as BUG-{n}. Fix planned for the next release.",
]

INTERNAL_FEATURE_NOTES = [
    "Added a +1 to FR-{n}; that makes {count} customers asking for it.",
    "New request, filed as FR-{n}. @{colleague} might want to mention it in the roadmap call.",
]

# How an agent marks a request they took down for the customer, by channel.
TAKEN_BY = {
    "phone": "*Taken over the phone by {agent}.*\n\n",
    "chat": "*Taken from a chat by {agent}.*\n\n",
    "walk_in": "*Taken in person by {agent}.*\n\n",
}
SIGN_OFFS = ["\n\n{first}", "\n\nBest,\n{first}", "\n\nKind regards,\n{first}", ""]
AGENT_SIGN_OFF = "\n\nBest,\n{agent}"

MONTHS = ["March", "April", "June", "August", "October", "December"]

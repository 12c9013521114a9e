"""Who works at and writes to Tallybook, the demo desk's company: its agents, customers and
organizations, departments and products, and the canned replies its admin keeps."""

DOMAIN = "tallybook.example"

# (email local part, name, is_admin, department they mostly work)
AGENTS = [
    ("priya", "Priya Raman", True, "General"),
    ("tom", "Tom Okafor", False, "Technical support"),
    ("sofia", "Sofia Lindqvist", False, "Billing"),
    ("marek", "Marek Novak", False, "Hardware"),
]

# Organization name, whether members see each other's tickets, members (name, email, has password).
ORGANIZATIONS = [
    (
        "Harbour Dental Clinic",
        True,
        [
            ("Maria Lopez", "maria.lopez@harbourdental.example", True),
            ("James Whitfield", "james.whitfield@harbourdental.example", True),
            ("Aisha Khan", "reception@harbourdental.example", True),
            ("Ben Carter", "ben.carter@harbourdental.example", True),
        ],
    ),
    (
        "Northside Barbers",
        False,
        [
            ("Luca Romano", "luca@northsidebarbers.example", True),
            ("Dev Patel", "dev@northsidebarbers.example", True),
            ("Sam O'Neill", "sam@northsidebarbers.example", False),
        ],
    ),
    (
        "Greenleaf Yoga Studio",
        False,
        [
            ("Hannah Berg", "hannah@greenleafyoga.example", True),
            ("Noor Haddad", "noor@greenleafyoga.example", True),
            ("Chloe Martin", "chloe@greenleafyoga.example", True),
        ],
    ),
    (
        "Atlas Bike Repair",
        False,
        [
            ("Oliver Grant", "oliver@atlasbikes.example", True),
            ("Tess Morgan", "tess@atlasbikes.example", True),
        ],
    ),
]

INDIVIDUALS = [
    ("Emma Schultz", "emma@schultz-physio.example", True),
    ("Rafael Costa", "rafael@costa-tattoo.example", True),
    ("Grace Liu", "grace@liu-accounting.example", True),
    ("Henrik Dahl", "henrik.dahl@mail.example", False),
    ("Fatima Zahra", "fatima@zahra-beauty.example", True),
    ("Jonas Weber", "jonas.weber@mail.example", False),
    ("Lily Evans", "lily@evans-dogcare.example", True),
    ("Kenji Sato", "kenji@sato-massage.example", False),
    ("Olivia Brown", "olivia@brownandco-hair.example", True),
    ("Mateo García", "mateo@garcia-tutoring.example", True),
    ("Ruth Adeyemi", "ruth@adeyemi-nails.example", True),
    ("Paul Fischer", "paul.fischer@mail.example", False),
    ("Sara Nilsson", "sara@nilsson-pilates.example", True),
]

DEPARTMENTS = ["General", "Billing", "Technical support", "Hardware"]

# Product name and the department that looks after it.
PRODUCTS = [
    ("Tallybook Bookings", "Technical support"),
    ("Tallybook Invoicing", "Billing"),
    ("Mobile app", "Technical support"),
    ("Card reader T2", "Hardware"),
    ("Receipt printer RP-80", "Hardware"),
]

# Shared canned replies an admin keeps: (title, body with placeholders).
CANNED = [
    (
        "Refund on the way",
        "Hi {customer_name},\n\nWe have refunded the charge; it shows on your statement within 5 business days."
        "\n\nBest,\n{agent_name}",
    ),
    (
        "Need a screenshot",
        "Hi {customer_name},\n\nCould you send a screenshot of what you see? Reply to this email or add it on "
        "{portal_link}.\n\nThanks,\n{agent_name}",
    ),
    (
        "Reset the receipt printer",
        "Hi {customer_name},\n\nPlease hold the printer's feed button for 10 seconds until the light blinks twice, "
        "then try again. If it still prints blank pages, reply to ticket #{ticket_number}.\n\nBest,\n{agent_name}",
    ),
]

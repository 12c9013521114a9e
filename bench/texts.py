"""What the seeded desk's people and messages say: names, subjects and bodies with a realistic
spread of lengths, drawn from a fixed vocabulary so every run writes the same desk."""

import random

FIRST = ("Anna", "Ben", "Carla", "David", "Elif", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Kira",
         "Luca", "Mara", "Nils", "Olga", "Pavel", "Quinn", "Rosa", "Sven", "Tara",
         "Umar", "Vera", "Wim", "Yara", "Zoe")  # fmt: skip
LAST = ("Adler", "Berg", "Costa", "Dahl", "Egger", "Fischer", "Garcia", "Horvat", "Ivanova", "Jensen", "Klein",
        "Lindqvist", "Moreau", "Novak", "Olsen", "Petrov", "Rossi", "Schmidt", "Tanaka", "Urban", "Vogel")  # fmt: skip
_VOCABULARY = (
    "account invoice payment refund order delivery package login password error page screen export report "
    "upgrade plan subscription card charge receipt address email message button setting profile team user "
    "access permission sync update version mobile app desktop browser download upload file attachment "
    "customer support ticket request feature bug crash slow timeout server database backup restore import "
    "schedule calendar reminder notification webhook integration token key limit quota storage discount "
    "coupon shipping tracking return exchange warranty replacement battery cable screen keyboard printer"
)
WORDS = _VOCABULARY.split()
SUBJECTS = (
    "Cannot log in after the {w} change", "Question about my {w}", "{W} missing since yesterday",
    "Wrong {w} on my last order", "How do I change the {w}?", "Feature idea: {w} for teams",
    "The {w} page shows an error", "Refund for a duplicate {w}", "{W} is very slow today",
    "Need help with the {w} settings",
)  # fmt: skip
OPENERS = ("Hi,", "Hello team,", "Good morning,", "Hi there,", "Dear support,")
CLOSERS = ("Thanks!", "Best regards", "Thank you for your help.", "Cheers", "Kind regards")


class Text:
    """Message bodies with a realistic spread of lengths, composed from a pool of sentences (fast)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.sentences = [self._sentence() for _ in range(3000)]

    def _sentence(self) -> str:
        words = self.rng.choices(WORDS, k=self.rng.randint(5, 16))
        return words[0].capitalize() + " " + " ".join(words[1:]) + self.rng.choice((".", ".", ".", "?", "!"))

    def paragraph(self, sentences: int) -> str:
        return " ".join(self.rng.choices(self.sentences, k=sentences))

    def body(self) -> str:
        """Half are short replies, a third a paragraph or two, the rest long (logs, stories)."""
        roll = self.rng.random()
        if roll < 0.5:
            return self.paragraph(self.rng.randint(1, 2))
        if roll < 0.85:
            middle = [self.paragraph(self.rng.randint(2, 5)) for _ in range(self.rng.randint(1, 2))]
        else:
            middle = [self.paragraph(self.rng.randint(3, 8)) for _ in range(self.rng.randint(3, 8))]
        return "\n\n".join([self.rng.choice(OPENERS), *middle, self.rng.choice(CLOSERS)])


def html(body: str) -> str:
    """What the Markdown renderer makes of plain paragraphs (the vocabulary needs no escaping)."""
    return "".join(f"<p>{part}</p>\n" for part in body.split("\n\n"))


def preview(body: str) -> str:
    return " ".join(body.split())[:200]

"""Render the demo pupils' work into moderation_hub/demo_work/: the files and manifest.yaml that ``flask demo`` loads.

Handwritten pages on cream lined paper, with the pupil's name at the top, ticks and comments in the teacher's
pen, some photographed at an angle on a table (JPEGs carrying a camera's EXIF, GPS included), some scanned into
PDFs of page images, and a word-processed essay as a PDF with a text layer. The pupils, their texts and the
teacher's judgements are written below; the manifest gets the places of everything drawn (the names to redact,
the phrases annotated), measured while drawing.

Run once by a developer, after installing Debian's handwriting fonts, and commit the output:

    sudo apt-get install -y fonts-breip fonts-femkeklaver fonts-dkg-handwriting
    .venv/bin/python scripts/make_demo_work.py

The output is the same on every run (fixed random seeds), so running it again changes only what was edited.
"""

import io
import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import click
import pymupdf
import yaml
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

OUTPUT = Path(__file__).resolve().parent.parent / "moderation_hub" / "demo_work"
FONTS = Path("/usr/share/fonts/truetype")
BREIP = FONTS / "breip" / "Breip.ttf"
FEMKE = FONTS / "femkeklaver" / "femkeklaver.ttf"
DKG = FONTS / "fifthhorseman" / "dkg.ttf"
DKG_ITALIC = FONTS / "fifthhorseman" / "dkgIt.ttf"

Colour = tuple[int, int, int]
BLUE_BIRO: Colour = (30, 45, 115)
BLACK_PEN: Colour = (32, 32, 40)
PENCIL: Colour = (85, 85, 90)
FOUNTAIN_BLUE: Colour = (22, 62, 150)
TEACHER_GREEN: Colour = (18, 128, 58)
TEACHER_RED: Colour = (196, 30, 48)

# An A4 sheet at about 115 dpi: readable handwriting, and small enough files to ship in the repository.
PAGE_SIZE = (940, 1330)
MARGIN_X = 122  # the red margin line
FIRST_RULE_Y = 150
RIGHT_EDGE = PAGE_SIZE[0] - 42
JPEG_QUALITY = 68
Box = tuple[float, float, float, float]  # left, top, right, bottom in pixels
Point = tuple[float, float]


# What is written -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hand:
    """A pupil's handwriting: font, size, ink and how unsteady it is."""

    font: Path
    size: int
    ink: Colour
    slant: float = 0.0  # shear: 0.15 leans letters right
    wobble: float = 1.0  # degrees a word may turn either way
    bounce: float = 1.5  # pixels a letter may leave the baseline
    drift: float = 3.0  # pixels a line wanders up or down along its length
    weight: int = 0  # extra stroke width: a heavy hand or a felt pen
    pencil: bool = False
    paragraphs: str = "indent"  # "indent", "skip" (a blank line) or "none" (just a new line)
    capitals: Path | None = None  # another font for capitals and digits (Femkeklaver's are hollow)


@dataclass(frozen=True)
class Mark:
    """The teacher's pen on the paper, at the first place ``phrase`` is written on the sheet.

    ``tick``: a tick over the end of the phrase; ``margin``: a tick and ``text`` in the margin beside it;
    ``fix``: ``text`` in red in the margin; ``sp``: the word circled and "sp" in the margin;
    ``end``: ``text`` as a comment after the writing (``phrase`` unused).
    """

    kind: str
    phrase: str = ""
    text: str = ""

    def __post_init__(self) -> None:
        if self.kind not in ("tick", "margin", "fix", "sp", "end"):
            raise ValueError(f"unknown mark {self.kind!r}")


@dataclass(frozen=True)
class Note:
    """An annotation the teacher made in Moderation Hub: a box around ``phrase`` pointing at criteria."""

    phrase: str
    comment: str
    criteria: tuple[str, ...]


@dataclass(frozen=True)
class Sheet:
    """One page of writing. A blank line starts a paragraph; a line starting with "|" starts a new line
    without one (a letter's signature).

    ``~word~`` is crossed out. ``redact`` lists phrases besides the name at the top that give the pupil away.
    """

    text: str
    marks: tuple[Mark, ...] = ()
    notes: tuple[Note, ...] = ()
    redact: tuple[str, ...] = ()


@dataclass(frozen=True)
class Piece:
    """A piece of work and how it reached the app.

    ``finish``: "scan" (one PDF of page images), "photo" (a JPEG per sheet, with EXIF) or "typed" (a PDF with
    a text layer; the name in its header is left for the teacher to find, so its pages are flagged).
    """

    slug: str
    title: str
    purpose: str
    written_on: str  # "MM-DD", placed in the sample's academic year by the loader
    independence: str
    finish: str
    sheets: tuple[Sheet, ...]
    upload_names: tuple[str, ...]  # what the teacher's scanner or camera called the files
    orientations: tuple[int, ...] = (1,)  # EXIF orientation of each photo
    sticker: str = ""  # a printed learning-objective label stuck at the top (key stage 1 books)
    header: str = ""  # a typed piece's page header, after the pupil's name


@dataclass(frozen=True)
class Claim:
    criterion: str
    status: str  # met, not_met or not_evidenced
    note: str


@dataclass(frozen=True)
class Pupil:
    name: str  # written on the paper only: the manifest never holds it
    code: str
    school_urn: str
    teacher: str  # the demo login who made the sample
    year_group: int
    framework: str
    judgement: str
    commentary: str
    submitted: bool
    hand: Hand
    pieces: tuple[Piece, ...]
    evidence: tuple[Claim, ...]
    wide_lines: bool = False  # key stage 1 paper
    holes: bool = False  # punched file paper
    seed: int = 0


TEACHER_HAND = Hand(DKG_ITALIC, 22, TEACHER_GREEN, wobble=1.5, bounce=1.0, drift=2.0)

HARBOURSIDE_Y6 = "year6@harbourside.demo.moderation-hub.test"
BRAMBLEWOOD_LEAD = "lead@bramblewood-990105.demo.moderation-hub.test"
KESTREL_Y2 = "year2@kestrel.demo.moderation-hub.test"
HILLSIDE_ENGLISH = "english@hillside.demo.moderation-hub.test"


def met(criterion: str, note: str) -> Claim:
    return Claim(criterion, "met", note)


def not_met(criterion: str, note: str) -> Claim:
    return Claim(criterion, "not_met", note)


def not_evidenced(criterion: str, note: str) -> Claim:
    return Claim(criterion, "not_evidenced", note)


# Year 6, working towards: simple sentences, paragraphs but few links, speech unpunctuated, tense slips.
KS2_WTS = Pupil(
    name="Kian Doherty",
    code="Y6-014",
    school_urn="990103",
    teacher=HARBOURSIDE_Y6,
    year_group=6,
    framework="ks2-writing-ta",
    judgement="WTS",
    submitted=True,
    seed=14,
    hand=Hand(BREIP, 33, BLUE_BIRO, slant=0.04, wobble=2.2, bounce=2.4, drift=4.5, paragraphs="none"),
    commentary="""The collection shows writing for two purposes, a story and a diary, with a clear sense of the
        reader, organised into paragraphs. Settings and characters are described simply, usually by adding an
        adjective. Dialogue is not yet punctuated, the past tense slips into the present, and common words such as
        'because' are misspelt. Secure at working towards: inverted commas and a consistent tense are the next
        steps.""",
    pieces=(
        Piece(
            slug="secret-door",
            title="The Secret Door",
            purpose="Narrative",
            written_on="10-08",
            independence="independent",
            finish="scan",
            upload_names=("Scan_0008.pdf",),
            sheets=(
                Sheet(
                    text="""One day Sam and his dog Biscuit went to the park. It was a sunny day and the sky was
                    blue. Biscuit ran off into the woods and Sam had to chase after him.

                    Sam found Biscuit barking at a old tree. In the tree there was a little door. It was green and it
                    had a gold handel. Sam opend the door and they went inside. It was dark and cold and it smelt of
                    mud.

                    They walked down some ~stars~ stairs for ages. Sam was scared but he kept going becuase Biscuit
                    was in front. At the bottom there was a massive cave with glowing crystals on the walls. It was
                    amazing.

                    Then they heard a noise. A big troll came out from behind a rock. He had green skin and yellow
                    teeth. Who are you said the troll. I am Sam said Sam. The troll was angry and he runs at them.""",
                    marks=(
                        Mark("tick", "glowing crystals on the walls."),
                        Mark("margin", "green skin and yellow", "good description"),
                        Mark("sp", "handel."),
                        Mark("fix", "Who are you said", "speech marks!"),
                    ),
                    notes=(
                        Note(
                            "It was green and it had a gold handel.",
                            "Simple description: an adjective for each detail of the door.",
                            ("WTS.3",),
                        ),
                        Note(
                            "Who are you said the troll.",
                            "Speech not yet punctuated: no inverted commas or commas.",
                            ("EXS.5",),
                        ),
                        Note("he runs at them.", "Slips into the present tense.", ("EXS.4",)),
                    ),
                ),
                Sheet(
                    text="""Sam and Biscuit ran back up the stairs as fast as they could. The troll was chasing them
                    and he was shouting. Biscuit was barking really loud.

                    They got to the door and Sam slamed it shut. The troll banged on the door but he could not get
                    out because he was to big.

                    Sam and Biscuit walked home. Sam never told anyone about the secret door. The next day he went
                    back to the park but the door was gone.

                    The End""",
                    marks=(
                        Mark("sp", "slamed"),
                        Mark("tick", "the door was gone."),
                        Mark(
                            "end",
                            text="Your story has a clear beginning, middle and end. Next step: use speech "
                            "marks when your characters talk.",
                        ),
                    ),
                    notes=(
                        Note(
                            "They got to the door and Sam slamed it shut.",
                            "New paragraph for each new event.",
                            ("WTS.2",),
                        ),
                        Note("because he was to big.", "'to' for 'too': homophones not yet secure.", ("WTS.4",)),
                    ),
                ),
            ),
        ),
        Piece(
            slug="evacuee-diary",
            title="Diary of an evacuee",
            purpose="Diary entry",
            written_on="11-12",
            independence="independent",
            finish="photo",
            upload_names=("IMG_4127.JPG",),
            orientations=(6,),
            sheets=(
                Sheet(
                    text="""Dear Diary,
                    | Today was the worst day of my life. I had to leave my mum and go on a train to the countryside
                    becuase of the war. Mum said it would be safer there. I had my gas mask in a box and a label on
                    my coat.

                    The train was crowded and it took hours. A boy called Ernest sat next to me and he kept crying. I
                    felt like crying to but I didnt.

                    When we got there we had to stand in a hall and people picked us. A old lady called Mrs Pike
                    picked me. She has a farm with cows and chickens. My room is small and cold and I miss my mum.

                    I hope the war ends soon so I can go home.
                    | From Billy""",
                    marks=(
                        Mark("tick", "the worst day of my life."),
                        Mark("sp", "becuase"),
                        Mark("fix", "felt like crying", "didn't"),
                        Mark("end", text="You have shown how Billy felt. Next step: check 'because' and apostrophes."),
                    ),
                    notes=(
                        Note(
                            "Today was the worst day of my life.",
                            "Diary form in the first person, with feelings for the reader.",
                            ("WTS.1",),
                        ),
                        Note(
                            "I felt like crying to but I didnt.",
                            "Apostrophe for omission missing; 'to' for 'too'.",
                            ("EXS.5", "WTS.4"),
                        ),
                    ),
                ),
            ),
        ),
    ),
    evidence=(
        met("WTS.1", "A story and a diary, each written with the reader in mind."),
        met("WTS.2", "Paragraphs mark each new event in the story."),
        met("WTS.3", "Simple descriptions: 'a gold handel', 'green skin and yellow teeth'."),
        met("WTS.4", "Most year 3 and 4 words right; 'because' and 'handle' still insecure."),
        met("WTS.5", "Legible throughout; joins some letters."),
        not_met("EXS.2", "Dialogue is used but not punctuated, and settings are brief."),
        not_met("EXS.4", "Slips from past to present tense ('he runs at them')."),
        not_met("EXS.5", "No inverted commas; apostrophes missing ('didnt')."),
    ),
)

# Year 6, expected: atmosphere, dialogue that moves the story on, fronted adverbials, accurate punctuation.
KS2_EXS = Pupil(
    name="Maisie Thornton",
    code="Y6-022",
    school_urn="990103",
    teacher=HARBOURSIDE_Y6,
    year_group=6,
    framework="ks2-writing-ta",
    judgement="EXS",
    submitted=True,
    seed=22,
    holes=True,
    hand=Hand(BREIP, 30, FOUNTAIN_BLUE, slant=0.12, wobble=0.9, bounce=1.2, drift=3.0),
    commentary="""Across a story, a formal letter and a diary the pupil chooses the form and tone to suit the
        reader. The story builds atmosphere through its setting and uses dialogue to move the action on; paragraphs
        are linked with fronted adverbials and pronouns. Punctuation, speech included, is accurate and spelling
        errors are rare. The deliberate shifts of formality and the range of punctuation for effect needed for
        greater depth are not yet evident.""",
    pieces=(
        Piece(
            slug="the-storm",
            title="The Storm",
            purpose="Narrative",
            written_on="09-30",
            independence="independent",
            finish="scan",
            upload_names=("Scan_0003.pdf",),
            sheets=(
                Sheet(
                    text="""The sky had turned the colour of a bruise by the time Ellie reached the harbour. Waves
                    crashed against the wall, throwing icy spray across the empty car park, and the fishing boats
                    rocked and groaned on their ropes.

                    "Grandad!" she shouted, but the wind snatched her voice away.

                    Ellie knew he would be here. Every evening for fifty years, her grandad had checked on the Sea
                    Lark, his little blue boat. Tonight, however, the boat was drifting away from the harbour wall and
                    her grandad was nowhere to be seen.

                    Heart pounding, Ellie ran along the slippery stones. In the distance, she could see a small
                    figure in a yellow coat, struggling with a rope that was being pulled out of his hands.

                    "Hold on!" Ellie yelled. "I'm coming!\"""",
                    marks=(
                        Mark("tick", "the colour of a bruise"),
                        Mark("margin", "Heart pounding,", "good use of fronted adverbials"),
                        Mark("tick", "snatched her voice away."),
                    ),
                    notes=(
                        Note(
                            "The sky had turned the colour of a bruise",
                            "The opening image sets the atmosphere at once.",
                            ("EXS.2",),
                        ),
                        Note(
                            "Heart pounding, Ellie ran along the slippery stones.",
                            "Fronted adverbial links the paragraph to the action before.",
                            ("EXS.3",),
                        ),
                        Note(
                            '"Hold on!" Ellie yelled. "I\'m coming!"',
                            "Speech punctuated accurately and moving the action on.",
                            ("EXS.2", "EXS.5"),
                        ),
                    ),
                ),
                Sheet(
                    text="""Without thinking, she grabbed the end of the rope and pulled with all her strenght. Her
                    arms burned and her feet slid on the wet ground, but slowly the Sea Lark began to move back
                    towards the wall.

                    "Tie it to the post," gasped Grandad. "Quickly, before the next wave!"

                    With shaking fingers, Ellie looped the rope around the iron post and pulled the knot tight.
                    Moments later, a huge wave smashed over the wall, soaking them both from head to toe.

                    For a second neither of them spoke. Then Grandad started to laugh, a deep rumbling laugh that
                    made Ellie laugh too.

                    "Your grandma would have been proud of you," he said quietly.

                    As they walked home through the rain, Ellie decided that storms were not so frightening after
                    all.""",
                    marks=(
                        Mark("sp", "strenght."),
                        Mark("tick", "a deep rumbling laugh"),
                        Mark(
                            "end",
                            text="Great tension and a satisfying ending. Next step: vary how you start "
                            "the sentences in your last paragraph.",
                        ),
                    ),
                    notes=(
                        Note(
                            '"Tie it to the post," gasped Grandad.',
                            "Commas and inverted commas placed correctly inside the speech.",
                            ("EXS.5",),
                        ),
                        Note("Moments later,", "Adverbial of time moves the story on.", ("EXS.3",)),
                    ),
                ),
            ),
        ),
        Piece(
            slug="garden-letter",
            title="A school garden",
            purpose="Persuasive letter",
            written_on="11-04",
            independence="independent",
            finish="photo",
            upload_names=("IMG_4211.JPG", "IMG_4212.JPG"),
            orientations=(6, 1),
            sheets=(
                Sheet(
                    text="""Dear Headteacher,

                    I am writing to ask you to let Year 6 turn the empty space behind the hall into a school garden.
                    I believe that a garden would benefit everyone in our school and I hope that you will agree.

                    Firstly, a garden would help us to learn. In science we have been studying how plants grow, but
                    we have only seen pictures. If we had our own garden, we could plant seeds, measure them and see
                    the life cycle for ourselves.

                    Secondly, growing food is good for our health. Did you know that children who grow vegetables
                    are more likely to eat them? We could even use the vegetables in the school kitchen, which would
                    save money.""",
                    marks=(
                        Mark("tick", "benefit everyone in our school"),
                        Mark("margin", "Did you know", "good rhetorical question"),
                    ),
                    notes=(
                        Note("I am writing to ask you", "Formal opening that states the purpose.", ("EXS.1",)),
                        Note(
                            "Firstly, a garden would help us to learn.",
                            "Adverbials organise the argument across paragraphs.",
                            ("EXS.3",),
                        ),
                        Note(
                            "Did you know that children who grow vegetables",
                            "Rhetorical question draws the reader in.",
                            ("EXS.1",),
                        ),
                    ),
                ),
                Sheet(
                    text="""Some people might say that a garden would be too much work. However, the Eco Club has
                    already offered to water it at lunchtimes, and a parent who is a gardener has said she would
                    help us to get started.

                    Finally, a garden would make our school look beautiful. At the moment the space behind the hall
                    is full of weeds and litter. Imagine how much nicer it would be with flowers, a bench and a bug
                    hotel!

                    I hope you will consider my idea. Please could we meet to talk about it?

                    | Yours sincerely,
                    | Maisie Thornton""",
                    redact=("Maisie Thornton",),
                    marks=(
                        Mark("margin", "Some people might say", "counter argument"),
                        Mark("tick", "a bench and a bug hotel!"),
                        Mark(
                            "end",
                            text="A clear, well organised letter. Next step: use a semi-colon to join "
                            "two linked ideas.",
                        ),
                    ),
                    notes=(
                        Note("However, the Eco Club has already offered", "Answers the counter-argument.", ("EXS.3",)),
                        Note(
                            "Imagine how much nicer it would be", "Imperative and exclamation to persuade.", ("EXS.1",)
                        ),
                    ),
                ),
            ),
        ),
        Piece(
            slug="residential-diary",
            title="Residential trip: Day 2",
            purpose="Diary entry",
            written_on="10-16",
            independence="independent",
            finish="photo",
            upload_names=("IMG_4166.JPG",),
            orientations=(1,),
            sheets=(
                Sheet(
                    text="""Dear Diary,

                    What a day! This morning we went canoeing on the lake, which I was really nervous about because
                    I can't swim very well. Our instructor showed us how to hold the paddle and how to steer.

                    At first our canoe kept going round in circles and we could not stop laughing. After a while,
                    though, we got the hang of it and we even overtook our teacher's canoe!

                    In the afternoon we climbed to the top of a hill called Cat Bells. It was steep and rocky and my
                    legs ached, but the view from the top was incredible. You could see the whole lake shining in
                    the sun.

                    Tonight we had a disco and hot chocolate before bed. I am exhausted but I don't want this week to
                    end.""",
                    marks=(
                        Mark("tick", "What a day!"),
                        Mark("margin", "got the hang of it", "lovely chatty tone"),
                        Mark("end", text="I felt as if I was there! Next step: try a colon or semi-colon."),
                    ),
                    notes=(
                        Note("What a day!", "Informal, chatty tone that suits a diary.", ("EXS.1",)),
                        Note(
                            "After a while, though, we got the hang of it", "Commas make the meaning clear.", ("EXS.5",)
                        ),
                        Note("It was steep and rocky and my legs ached,", "Past tense kept consistently.", ("EXS.4",)),
                    ),
                ),
            ),
        ),
    ),
    evidence=(
        met("WTS.1", "Three purposes, each with the reader in mind."),
        met("WTS.2", "Paragraphs throughout."),
        met("EXS.1", "Formal letter to the headteacher and an informal diary: form and tone chosen well."),
        met("EXS.2", "Atmospheric setting; dialogue shows character and moves the story on."),
        met("EXS.3", "Fronted adverbials and adverbials of time link paragraphs."),
        met("EXS.4", "Past tense consistent across story and diary."),
        met("EXS.5", "Inverted commas, commas for clarity and apostrophes accurate."),
        met("EXS.6", "Errors are rare ('strenght')."),
        met("EXS.7", "Joined and legible at length."),
        not_met("GDS.2", "The letter stays formal throughout; no controlled shifts of register."),
        not_evidenced("GDS.4", "No semi-colons, colons or dashes in the collection."),
    ),
)

# Year 6, greater depth: controlled shifts of register, grammar chosen for effect, a full range of punctuation.
KS2_GDS = Pupil(
    name="Zara Whitfield",
    code="Y6-031",
    school_urn="990105",
    teacher=BRAMBLEWOOD_LEAD,
    year_group=6,
    framework="ks2-writing-ta",
    judgement="GDS",
    submitted=True,
    seed=31,
    hand=Hand(BREIP, 28, BLACK_PEN, slant=0.17, wobble=0.7, bounce=1.0, drift=2.5),
    commentary="""Writing is assured across purposes: a story that builds suspense with deliberate sentence and
        paragraph lengths, and a letter to a councillor that moves between a formal register and a personal story
        with full control. Grammar and vocabulary are chosen to sharpen meaning (the passive voice, modal verbs,
        precise imagery) and punctuation is used precisely and for effect: semi-colons, colons, dashes and
        brackets. Greater depth is secure across the collection.""",
    pieces=(
        Piece(
            slug="keepers-light",
            title="The Keeper's Light",
            purpose="Narrative",
            written_on="10-02",
            independence="independent",
            finish="photo",
            upload_names=("IMG_0871.JPG", "IMG_0872.JPG"),
            orientations=(1, 8),
            sheets=(
                Sheet(
                    text="""Nobody had lit the lamp at Gull Point for thirty years. Nobody, that is, until the night
                    of the storm.

                    Mara had been watching the lighthouse from her bedroom window since she was old enough to climb
                    onto the sill. It stood at the end of the headland like a forgotten chess piece: tall, white and
                    utterly alone. Her mother said it was dangerous; her brother said it was haunted. Mara said
                    nothing, but she wondered.

                    That night, the wind howled around the cottage like a wounded animal. Rain hurled itself against
                    the glass. And then - far out beyond the rocks - Mara saw it: a single light, blinking red, then
                    vanishing beneath the waves.

                    A boat.

                    She did not stop to think. Pulling her coat over her pyjamas, she crept past her mother's door,
                    eased the bolt across and slipped out into the screaming dark.""",
                    marks=(
                        Mark("margin", "Nobody, that is,", "powerful opening!"),
                        Mark("margin", "Her mother said it was dangerous;", "great semi-colon"),
                        Mark("tick", "A boat."),
                    ),
                    notes=(
                        Note(
                            "Nobody, that is, until the night of the storm.",
                            "The echo of 'Nobody' builds suspense from the first line.",
                            ("GDS.1",),
                        ),
                        Note(
                            "like a forgotten chess piece: tall, white and utterly alone.",
                            "Colon introduces a precise description; the simile is chosen for effect.",
                            ("GDS.3", "GDS.4"),
                        ),
                        Note(
                            "Her mother said it was dangerous; her brother said it was haunted.",
                            "Semi-colon balances two parallel clauses.",
                            ("GDS.4",),
                        ),
                        Note("A boat.", "A one-line paragraph for impact.", ("GDS.1",)),
                    ),
                ),
                Sheet(
                    text="""The path to the lighthouse had been swallowed by brambles, which clawed at her legs as she
                    ran. By the time she reached the door, her hands were numb and her heart was hammering so hard
                    that she could hear it over the sea.

                    The door was locked, of course. But the window beside it - cracked, rotten, held together by
                    years of salt - gave way with a single push.

                    Inside, the spiral staircase twisted upwards into blackness. One hundred and twelve steps (she had
                    counted them in her dreams) led to the lamp room, where the great lens sat waiting, furred with
                    dust. Mara struck a match. For a terrible moment nothing happened; then, with a hiss and a roar,
                    the old lamp flared into life.

                    Light swept across the water. Far below, the little boat turned - slowly, gratefully - away from
                    the rocks.

                    In the morning, the newspapers would talk about a miracle. Mara knew better. Some lights, she
                    thought, are only waiting for someone brave enough to strike the match.""",
                    marks=(
                        Mark("tick", "(she had counted them in her dreams)"),
                        Mark("margin", "slowly, gratefully", "so controlled"),
                        Mark("end", text="A gripping, controlled story: every sentence earns its place."),
                    ),
                    notes=(
                        Note(
                            "had been swallowed by brambles,", "Passive voice keeps the focus on the path.", ("GDS.3",)
                        ),
                        Note(
                            "(she had counted them in her dreams)",
                            "Brackets add an aside that deepens the character.",
                            ("GDS.4",),
                        ),
                        Note(
                            "Some lights, she thought, are only waiting",
                            "The ending returns to the light with a reflective, literary line.",
                            ("GDS.1",),
                        ),
                    ),
                ),
            ),
        ),
        Piece(
            slug="library-letter",
            title="Save our library",
            purpose="Persuasive letter",
            written_on="11-18",
            independence="independent",
            finish="scan",
            upload_names=("SCAN0042.pdf",),
            sheets=(
                Sheet(
                    text="""Dear Councillor Okoro,

                    I am writing to object, in the strongest possible terms, to the council's plan to close
                    Riverford Library. I understand that difficult decisions have to be made about money; however, I
                    believe this decision would be a serious mistake.

                    The library is not simply a building full of books. It is one of the only places in our town
                    where anyone - a toddler, a student, a pensioner - can sit somewhere warm and quiet without
                    being expected to spend money. Last winter, a homework club was run there three evenings a week,
                    which was attended by over forty children. Where will those children go?

                    I would also like to tell you something personal. When my family first moved here, I didn't
                    know anybody. I was shy and, to be honest, pretty miserable. It was the librarian who noticed
                    me wandering around the shelves and handed me a book she thought I might like. (It was about a
                    girl who trained dragons; I read it in one night.)""",
                    marks=(
                        Mark("tick", "in the strongest possible terms,"),
                        Mark("margin", "I would also like to tell you", "formal to personal - well judged"),
                    ),
                    notes=(
                        Note(
                            "I am writing to object, in the strongest possible terms,",
                            "Formal register established at once.",
                            ("EXS.1", "GDS.2"),
                        ),
                        Note(
                            "which was attended by over forty children.",
                            "Passive voice keeps the focus on the club, not who ran it.",
                            ("GDS.3",),
                        ),
                        Note(
                            "I would also like to tell you something personal.",
                            "A controlled shift into a personal, informal voice.",
                            ("GDS.2",),
                        ),
                    ),
                ),
                Sheet(
                    text="""That book led to another, and another, and eventually to the library's reading club,
                    where I made my first real friends. It is no exaggeration to say that the library changed my
                    life - and I am certain that I am not the only one.

                    Some people argue that libraries are no longer needed because everything is on the internet.
                    But not every family has a computer at home, and not every question can be answered by a search
                    engine.

                    Surely a town that can afford a new roundabout can also afford to keep its library open?

                    I would therefore urge you to reconsider. If the library must save money, it could open for fewer
                    hours rather than closing altogether. I would be happy to present our petition, signed by over
                    200 pupils and parents, at the next council meeting.

                    | Yours sincerely,
                    | Zara Whitfield (Year 6)""",
                    redact=("Zara Whitfield",),
                    marks=(
                        Mark("tick", "the library changed my life"),
                        Mark("margin", "Surely a town", "pointed but polite"),
                        Mark("end", text="Persuasive and heartfelt: you should send it!"),
                    ),
                    notes=(
                        Note(
                            "Surely a town that can afford a new roundabout",
                            "Rhetorical question: pointed, but the formal register holds.",
                            ("GDS.1", "GDS.2"),
                        ),
                        Note(
                            "I would therefore urge you to reconsider.",
                            "Modal verb and formal adverbial to make the request.",
                            ("GDS.3",),
                        ),
                    ),
                ),
            ),
        ),
    ),
    evidence=(
        met("EXS.1", "Narrative and formal letter, each shaped for its reader."),
        met("EXS.2", "Setting and atmosphere drive the story."),
        met("EXS.5", "Accurate throughout."),
        met("GDS.1", "Literary features (echo, one-line paragraphs) used deliberately."),
        met("GDS.2", "The letter moves from formal to personal and back with full control."),
        met("GDS.3", "Passive voice and modal verbs chosen for effect."),
        met("GDS.4", "Semi-colons, colons, dashes and brackets used precisely."),
    ),
)

# Year 2, working towards: sequenced sentences after talking it through, phonically plausible spelling.
KS1_WTS = Pupil(
    name="Alfie Brooks",
    code="Y2-007",
    school_urn="990104",
    teacher=KESTREL_Y2,
    year_group=2,
    framework="ks1-writing-ta",
    judgement="WTS",
    submitted=True,
    seed=7,
    wide_lines=True,
    hand=Hand(FEMKE, 44, PENCIL, wobble=3.0, bounce=3.5, drift=5.0, pencil=True, paragraphs="none", capitals=BREIP),
    commentary="""After talking through the trip with an adult, the pupil wrote a recount in order, with some
        sentences demarcated by capital letters and full stops. Spelling is phonically plausible ('stroct',
        'botul') and common exception words such as 'the' and 'was' are right. Letters are mostly formed
        correctly though not always the right size. Working towards: consistent sentence punctuation and spelling
        of taught words are the next steps.""",
    pieces=(
        Piece(
            slug="farm-recount",
            title="The farm",
            purpose="Recount",
            written_on="10-14",
            independence="some_support",
            finish="photo",
            upload_names=("IMG_2290.JPG",),
            orientations=(1,),
            sticker="L.O. I can write a recount.",
            sheets=(
                Sheet(
                    text="""On Tuesday we went to the farm on a bus. we saw sum cows and pigs. The pigs was muddy.
                    I stroct a goat and it was soft. then we had are lunch in the barn. After lunch we fed the lams
                    with a botul. My lam drangk all the milk. I liked the farm.""",
                    marks=(
                        Mark("tick", "it was soft."),
                        Mark("fix", "we saw sum", "capital letter"),
                        Mark("end", text="What a busy day! Remember capital letters."),
                    ),
                    notes=(
                        Note(
                            "On Tuesday we went to the farm on a bus.",
                            "Sentence in order, with a capital letter and a full stop.",
                            ("WTS.1", "WTS.2"),
                        ),
                        Note(
                            "we saw sum cows",
                            "No capital letter; 'sum' is a phonically plausible spelling.",
                            ("WTS.2", "WTS.3"),
                        ),
                        Note("fed the lams with a botul.", "Sounds are all represented: 'lams', 'botul'.", ("WTS.3",)),
                    ),
                ),
            ),
        ),
    ),
    evidence=(
        met("PKF.1", "Writes own name and familiar words."),
        met("WTS.1", "A recount in order, after talking it through with an adult."),
        met("WTS.2", "Some sentences start with a capital and end with a full stop."),
        met("WTS.3", "Phonically plausible spellings an adult can read."),
        met("WTS.4", "'the', 'was', 'we' spelt correctly."),
        met("WTS.5", "Most lower-case letters formed correctly."),
        not_met("EXS.3", "Capital letters are missing at the start of several sentences."),
        not_met("EXS.5", "Many phonetic errors in words already taught ('are' for 'our')."),
    ),
)

# Year 2, expected: a story with a beginning, middle and end, "because", question and exclamation marks.
KS1_EXS = Pupil(
    name="Isla Sharma",
    code="Y2-012",
    school_urn="990104",
    teacher=KESTREL_Y2,
    year_group=2,
    framework="ks1-writing-ta",
    judgement="EXS",
    submitted=False,
    seed=12,
    wide_lines=True,
    hand=Hand(BREIP, 40, PENCIL, wobble=1.8, bounce=2.0, drift=4.0, pencil=True, paragraphs="none"),
    commentary="""A story with a clear beginning, middle and end, and a recount of the fire station visit that a
        reader who was not there could follow. Most sentences are demarcated, with exclamation marks used well,
        and 'because' explains. Still to add: a piece of non-fiction from science before submitting.""",
    pieces=(
        Piece(
            slug="sparky-story",
            title="Sparky the dragon",
            purpose="Story",
            written_on="11-06",
            independence="independent",
            finish="scan",
            upload_names=("Scan_0019.pdf",),
            sticker="L.O. I can write a story with a beginning, middle and end.",
            sheets=(
                Sheet(
                    text="""Once upon a time there was a little dragon called Sparky. He lived in a cave at the top
                    of a mowntin. Sparky had ~red~ shiny red scales but he had a big secret. He was afraid of the dark!

                    The other dragons laughed at him because dragons are meant to be brave.""",
                    marks=(Mark("tick", "He was afraid of the dark!"),),
                    notes=(
                        Note(
                            "Once upon a time there was a little dragon called Sparky.",
                            "A story opening borrowed from books she knows.",
                            ("EXS.1",),
                        ),
                        Note("because dragons are meant to be brave.", "'because' used to explain.", ("EXS.4",)),
                    ),
                ),
                Sheet(
                    text="""One night Sparky heard a tiny voice. "Help me!" It was a baby owl. Sparky blew a little
                    flame and it lit up the forest. He picked up the owl gentlee and flew her home.

                    After that Sparky was not afraid any more. The end.""",
                    marks=(
                        Mark("tick", "lit up the forest."),
                        Mark("end", text="A lovely story, Sparky is so brave!"),
                    ),
                    notes=(Note("He picked up the owl gentlee", "A sensible attempt at 'gently'.", ("EXS.5",)),),
                ),
            ),
        ),
        Piece(
            slug="fire-station",
            title="The fire station",
            purpose="Recount",
            written_on="10-21",
            independence="independent",
            finish="photo",
            upload_names=("IMG_2347.JPG",),
            orientations=(6,),
            sticker="L.O. I can write about a visit in order.",
            sheets=(
                Sheet(
                    text="""First we met a firefighter. She showed us her helmet and her big boots. Next we looked
                    inside the fire engine. It had hoses, ladders and a very loud siren. Then we squirted the hose.
                    It was so much fun!""",
                    marks=(Mark("tick", "It was so much fun!"), Mark("end", text="Great time words!")),
                    notes=(
                        Note("First we met a firefighter.", "Time words put the visit in order.", ("EXS.2",)),
                        Note("hoses, ladders and a very loud siren.", "Commas in a list.", ("GDS.3",)),
                    ),
                ),
            ),
        ),
    ),
    evidence=(
        met("EXS.1", "Sparky the dragon: a clear beginning, middle and end."),
        met("EXS.2", "The fire station recount is in order, with time words."),
        met("EXS.3", "Sentences demarcated; exclamation marks used well."),
        met("EXS.4", "'because' used to explain."),
        met("EXS.5", "Sensible attempts: 'mowntin', 'gentlee'."),
    ),
)

# Year 7, working within plus: imagery, varied sentences, a first secure semi-colon.
KS3_YEAR7 = Pupil(
    name="Ruby Sandford",
    code="Y7-105",
    school_urn="990107",
    teacher=HILLSIDE_ENGLISH,
    year_group=7,
    framework="ks3-writing-steps",
    judgement="w+",
    submitted=True,
    seed=105,
    holes=True,
    hand=Hand(BREIP, 28, BLACK_PEN, slant=-0.07, wobble=1.0, bounce=1.1, drift=2.5, weight=1),
    commentary="""Two pieces in contrasting forms. The description uses well-chosen imagery and deliberate
        variation of sentence and paragraph length; the speech is organised by topic sentences and connectives and
        keeps its viewpoint, answering a counter-argument. Punctuation is accurate, with a secure semi-colon; the
        wider range of punctuation and the deliberate shaping of openings and endings expected at secure are not
        yet consistent. Working within plus.""",
    pieces=(
        Piece(
            slug="market-at-dawn",
            title="The Market at Dawn",
            purpose="Descriptive writing",
            written_on="10-09",
            independence="independent",
            finish="photo",
            upload_names=("IMG_5530.JPG",),
            orientations=(1,),
            sheets=(
                Sheet(
                    text="""Before the sun has properly risen, the market is already awake. Metal shutters clatter
                    upwards one after another, like a row of yawning mouths, and the smell of fresh bread drifts
                    lazily between the stalls.

                    The fishmonger is the first to shout. His voice is rough and loud, booming across the square as
                    he arranges silver mackerel on a bed of crushed ice. Next to him, an old woman in a knitted hat
                    is building a pyramid of oranges so carefully that it looks like a work of art; she doesn't
                    look up, not even once.

                    Pigeons strut between the crates. A delivery van reverses, beeping impatiently. Somewhere a radio
                    is playing a song that nobody is listening to.

                    Then the sun appears.

                    Suddenly everything glows. The puddles turn gold, the striped awnings burn with colour and the
                    whole market seems to take a deep breath.""",
                    marks=(
                        Mark("margin", "like a row of yawning mouths,", "great simile"),
                        Mark("tick", "Then the sun appears."),
                        Mark("end", text="WWW: vivid, well-chosen detail. EBI: try a dash or brackets."),
                    ),
                    notes=(
                        Note(
                            "like a row of yawning mouths,", "Simile creates a vivid picture of the shutters.", ("w.5",)
                        ),
                        Note("work of art; she doesn't look up,", "Semi-colon used correctly.", ("w.4",)),
                        Note("Then the sun appears.", "One-line paragraph for effect after longer ones.", ("w.3",)),
                    ),
                ),
            ),
        ),
        Piece(
            slug="phones-speech",
            title="Should phones be banned in schools?",
            purpose="Speech (argument)",
            written_on="11-20",
            independence="independent",
            finish="scan",
            upload_names=("Scan_1120.pdf",),
            sheets=(
                Sheet(
                    text="""Good morning everyone. Today I am going to argue that mobile phones should not be banned
                    in schools, and by the end of this speech I hope you will agree with me.

                    Firstly, phones keep us safe. Many students travel to school on their own, and parents want to
                    be able to contact them. Without a phone, how would you tell your parents that the bus has
                    broken down?

                    Secondly, phones can help us learn. We can use them to look up facts and use revision apps. In
                    the real world adults use technology every day, so why shouldn't we?

                    Some people say that phones are distracting. This is true sometimes; however, ~stopping~
                    banning them is not the answer. Instead schools should teach students how to use phones
                    responsibly.

                    In conclusion, phones are a useful tool, not a problem. Thank you for listening.""",
                    marks=(
                        Mark("margin", "Firstly, phones keep us safe.", "clear topic sentences"),
                        Mark("tick", "how to use phones responsibly."),
                        Mark("end", text="Convincing and well organised. Next: a stronger ending than 'thank you'."),
                    ),
                    notes=(
                        Note(
                            "Firstly, phones keep us safe.",
                            "Topic sentences and connectives organise the argument.",
                            ("w.1",),
                        ),
                        Note(
                            "how would you tell your parents that the bus has broken down?",
                            "Rhetorical question aimed at the audience.",
                            ("w.2",),
                        ),
                        Note(
                            "This is true sometimes; however, banning them is not the answer.",
                            "Counter-argument answered; the viewpoint holds.",
                            ("s.2",),
                        ),
                    ),
                ),
            ),
        ),
    ),
    evidence=(
        met("w.1", "Topic sentences and connectives in the speech."),
        met("w.2", "Speech addresses its audience; description suits a reader."),
        met("w.3", "Short sentences and a one-line paragraph for effect."),
        met("w.4", "Semi-colon used correctly twice."),
        met("w.5", "Ambitious, mostly precise vocabulary."),
        met("s.2", "The speech keeps its viewpoint and answers a counter-argument."),
        not_met("s.1", "The speech's ending is formulaic."),
        not_met("s.3", "No dashes or brackets yet."),
        not_evidenced("s.4", "No drafting notes in this collection."),
    ),
)

# Year 9, secure: a typed essay (its text layer names the pupil in the header) and the handwritten plan.
KS3_YEAR9 = Pupil(
    name="Leo Marchetti",
    code="Y9-218",
    school_urn="990107",
    teacher=HILLSIDE_ENGLISH,
    year_group=9,
    framework="ks3-writing-steps",
    judgement="s",
    submitted=False,
    seed=218,
    hand=Hand(DKG, 27, BLACK_PEN, slant=0.05, wobble=1.0, bounce=0.8, drift=2.0, paragraphs="skip"),
    commentary="""A mature, well-structured argument: the opening anecdote frames the essay and returns in the
        conclusion, short topic sentences turn the argument, and the viewpoint is sustained while the other side is
        weighed fairly. Dashes and semi-colons are used for effect and spelling is accurate throughout. The plan
        shows rhetorical choices made on purpose. Secure for Year 9. Before submitting: the name in the header of
        the typed pages still has to be redacted.""",
    pieces=(
        Piece(
            slug="essay-plan",
            title="Essay plan",
            purpose="Planning notes",
            written_on="11-10",
            independence="independent",
            finish="photo",
            upload_names=("IMG_7731.JPG",),
            orientations=(6,),
            sheets=(
                Sheet(
                    text="""Intro: hook = 11pm, scrolling (short sentences?) + my view: it MAGNIFIES, doesn't cause

                    P1: evidence FOR - surveys, 3+ hrs a day, apps designed to hook us (likes, streaks)

                    P2: BUT a link is not a cause - lonely people turn to phones? online communities = lifeline

                    P3: HOW we use it: passive scrolling vs active messaging

                    P4: bans = too blunt. teach + better design. adults on phones too!

                    Conclusion: mirror not machine (antithesis - end on a question?)""",
                    notes=(
                        Note(
                            "mirror not machine (antithesis",
                            "The plan shows the rhetorical device chosen on purpose.",
                            ("s.4",),
                        ),
                    ),
                ),
            ),
        ),
        Piece(
            slug="social-media-essay",
            title="Connected but alone? Social media and teenage loneliness",
            purpose="Discursive essay (word-processed)",
            written_on="11-17",
            independence="independent",
            finish="typed",
            header="9M3   English",
            upload_names=("Social media essay FINAL.pdf",),
            sheets=(
                Sheet(
                    text="""It is 11 p.m. on a school night, and somewhere a fourteen-year-old is scrolling. Their thumb
                    moves automatically; their eyes barely register the faces that flash past. They have 643 followers,
                    12 group chats and, if you asked them honestly, nobody to talk to. This is the picture many adults
                    paint of teenagers today - but is it accurate? In this essay I will argue that social media is not,
                    in itself, making teenagers lonelier; rather, it magnifies whatever is already happening in their
                    lives, for better and for worse.

                    There is certainly evidence that heavy use of social media is linked to feeling lonely. Surveys
                    regularly find that teenagers who spend more than three hours a day online report lower wellbeing
                    than those who spend less. Platforms are designed to keep us scrolling: every notification, every
                    'like' and every streak is a tiny reward that pulls us back in. When time online replaces sleep,
                    exercise or face-to-face conversation, it is hardly surprising that some young people feel worse.

                    However, a link is not the same as a cause. It may be that lonely teenagers turn to their phones
                    because they are already isolated, not that their phones made them so. For a young person who is
                    bullied at school, or who feels they do not fit in, an online community of people who share their
                    interests - whether that is anime, coding or climate activism - can be a lifeline. For them, social
                    media is not the problem; it is part of the solution.""",
                    notes=(
                        Note(
                            "It is 11 p.m. on a school night",
                            "The opening anecdote hooks the reader and returns in the conclusion.",
                            ("s.1",),
                        ),
                        Note(
                            "However, a link is not the same as a cause.",
                            "A short topic sentence turns the argument.",
                            ("w.1", "w.3"),
                        ),
                        Note("whether that is anime, coding or", "Dashes frame an aside precisely.", ("s.3",)),
                    ),
                ),
                Sheet(
                    text="""The real question, then, is not whether teenagers use social media but how they use it.
                    Passive scrolling - comparing our ordinary lives with other people's carefully edited highlights -
                    seems to leave people feeling inadequate and alone. Active use - messaging friends, making things,
                    organising a meet-up - can do the opposite. The same app can isolate one user and connect another.

                    This suggests that banning phones or setting strict time limits, as some politicians have proposed,
                    would be a blunt instrument. A better approach would be to teach young people to notice how
                    different kinds of use make them feel, and to design platforms that reward connection rather than
                    endless consumption. Parents and schools also have a part to play: it is difficult to tell a
                    teenager to put their phone down when the adults around them are glued to their own screens.

                    In conclusion, social media is a mirror as much as a machine. It can deepen loneliness, particularly
                    when it crowds out sleep and real conversation, but it can also offer friendship and belonging to
                    those who struggle to find it elsewhere. Rather than asking whether social media is making teenagers
                    lonelier, we should be asking what kind of online world we want to build - and then building it.""",
                    notes=(
                        Note("would be a blunt instrument", "Precise, measured vocabulary.", ("s.4",)),
                        Note(
                            "social media is a mirror as much as a machine",
                            "Antithesis in the conclusion: a deliberate rhetorical device.",
                            ("s.4", "s.1"),
                        ),
                    ),
                ),
            ),
        ),
    ),
    evidence=(
        met("w.1", "Topic sentences turn the argument paragraph by paragraph."),
        met("w.4", "Colons and semi-colons accurate."),
        met("s.1", "The opening anecdote and the conclusion work together."),
        met("s.2", "Viewpoint sustained; the other side weighed fairly."),
        met("s.3", "Dashes, semi-colons and colons used for effect."),
        met("s.4", "The plan names the antithesis chosen for the ending."),
        met("s.5", "No spelling errors, ambitious words included."),
    ),
)

# The standards file's exemplars (moderation_hub/standards/demo.py publishes them): a Year 2 pupil at each standard
# and another just at the expected one, Year 6 pupils the revealed round agrees on (a boundary pair just below and
# just at the expected standard among them), a second Year 7 pupil, and two APP-style collections. One page a piece,
# so the demo stays quick to load.

SALTMARSH_INFANT_LEAD = "lead@saltmarsh-990101.demo.moderation-hub.test"
SALTMARSH_JUNIOR_LEAD = "lead@saltmarsh-990102.demo.moderation-hub.test"
UPPER_FELL_LEAD = "lead@upper-990106.demo.moderation-hub.test"
ST_AIDANS_LEAD = "lead@st-990108.demo.moderation-hub.test"
MARKET_STREET_LEAD = "lead@market-990109.demo.moderation-hub.test"
ALL_THROUGH_LEAD = "lead@riverford-990111.demo.moderation-hub.test"

# Year 2, working towards: a few sentences in order, phonically plausible spelling, some demarcation.
KS1_WTS_PET = Pupil(
    name="Oscar Lane",
    code="Y2-003",
    school_urn="990101",
    teacher=SALTMARSH_INFANT_LEAD,
    year_group=2,
    framework="ks1-writing-ta",
    judgement="WTS",
    submitted=True,
    seed=3,
    wide_lines=True,
    hand=Hand(FEMKE, 44, PENCIL, wobble=3.2, bounce=3.5, drift=5.0, pencil=True, paragraphs="none", capitals=BREIP),
    commentary="""After talking about his dog with an adult, the pupil wrote sentences that follow on from each
        other, several starting with a capital letter and ending with a full stop. Spellings are phonically plausible
        ('calld', 'flopy', 'wen') and 'the', 'was' and 'said' are right. Working towards: sentence boundaries and
        joining ideas with 'because' are the next steps.""",
    pieces=(
        Piece(
            slug="my-dog",
            title="My dog",
            purpose="Writing about myself",
            written_on="11-04",
            independence="some_support",
            finish="photo",
            upload_names=("IMG_3012.JPG",),
            sticker="L.O. I can write about my pet.",
            sheets=(
                Sheet(
                    text="""I hav a dog calld Biscit. he is brown and he has flopy ears. He lics me wen I get home
                    from school. Mum said he was naughty. he ate my sock. I tak him to the park and he runs fast.
                    I love my dog.""",
                    marks=(
                        Mark("tick", "I love my dog."),
                        Mark("fix", "he is brown", "capital letter"),
                    ),
                    notes=(
                        Note("I hav a dog calld Biscit.", "A sentence with a capital and a full stop.", ("WTS.2",)),
                        Note("He lics me wen I get home", "Every sound has a letter: 'lics', 'wen'.", ("WTS.3",)),
                        Note("Mum said he was naughty.", "'said' and 'was' spelt correctly.", ("WTS.4", "WTS.1")),
                    ),
                ),
            ),
        ),
    ),
    evidence=(
        met("WTS.1", "Sentences follow on about his dog after talking it through."),
        met("WTS.2", "Several sentences demarcated."),
        met("WTS.3", "Phonically plausible spellings throughout."),
        met("WTS.4", "'the', 'was', 'said' correct."),
        not_met("EXS.3", "Two sentences start without a capital letter."),
        not_met("EXS.4", "Ideas are listed, not joined with 'because' or 'when'."),
    ),
)

# Year 2, expected: a story with a beginning, middle and end, "because", a question and an exclamation.
KS1_EXS_TEDDY = Pupil(
    name="Poppy Evans",
    code="Y2-015",
    school_urn="990101",
    teacher=SALTMARSH_INFANT_LEAD,
    year_group=2,
    framework="ks1-writing-ta",
    judgement="EXS",
    submitted=True,
    seed=15,
    wide_lines=True,
    hand=Hand(BREIP, 40, PENCIL, wobble=1.8, bounce=2.2, drift=4.0, pencil=True, paragraphs="none"),
    commentary="""A story with a clear beginning, middle and end about a character the pupil invented. Sentence
        boundaries are mostly right, with a question mark and an exclamation mark where they are needed, and 'because'
        and 'when' explain and add detail. Spelling of taught words is mostly accurate. Expected standard: the story
        retells events rather than borrowing the language of books, as greater depth would.""",
    pieces=(
        Piece(
            slug="lost-teddy",
            title="The lost teddy",
            purpose="Story",
            written_on="01-20",
            independence="independent",
            finish="photo",
            upload_names=("IMG_4120.JPG",),
            sticker="L.O. I can write a story with a beginning, middle and end.",
            sheets=(
                Sheet(
                    text="""Once upon a time there was a girl called Lily. She had a teddy called Bob. One day
                    Lily went to the beach and she left Bob on the sand. When she got home she was very sad
                    because Bob was lost. Where could he be? The next day Lily and her dad went back to the beach.
                    Bob was sitting on a rock with a crab! Lily gave him a big hug and they went home.""",
                    marks=(
                        Mark("tick", "Where could he be?"),
                        Mark("margin", "with a crab!", "great ending"),
                    ),
                    notes=(
                        Note(
                            "Once upon a time there was a girl", "A clear beginning that sets up the story.", ("EXS.1",)
                        ),
                        Note("she was very sad because Bob was lost.", "'because' explains how she felt.", ("EXS.4",)),
                        Note("Where could he be?", "Question mark used correctly.", ("EXS.3",)),
                        Note(
                            "Bob was sitting on a rock with a crab!", "Exclamation mark for the surprise.", ("EXS.3",)
                        ),
                    ),
                ),
            ),
        ),
    ),
    evidence=(
        met("WTS.1", "Sentences follow on throughout."),
        met("WTS.2", "Sentences start with capitals and end with full stops."),
        met("EXS.1", "Beginning, middle and end."),
        met("EXS.3", "Question and exclamation marks used correctly."),
        met("EXS.4", "'because' and 'when' used to explain."),
        met("EXS.5", "Taught words spelt correctly."),
        not_met("GDS.1", "The story retells events; it does not yet borrow from books."),
        not_met("GDS.3", "No commas in lists or apostrophes yet."),
    ),
)

# Year 2, expected again, just at the standard: a recount of a science activity that a reader can follow.
KS1_EXS_BEANS = Pupil(
    name="Zara Whitfield",
    code="Y2-024",
    school_urn="990111",
    teacher=ALL_THROUGH_LEAD,
    year_group=2,
    framework="ks1-writing-ta",
    judgement="EXS",
    submitted=True,
    seed=24,
    wide_lines=True,
    hand=Hand(FEMKE, 40, PENCIL, wobble=2.4, bounce=2.6, drift=4.0, pencil=True, paragraphs="none", capitals=BREIP),
    commentary="""A recount of a science activity written in the order it happened, so that a reader who was not
        there can follow it. Most sentence boundaries are marked, 'when' and 'because' add detail, and most taught
        words are spelt correctly. Just at the expected standard: 'then' starts most sentences and one full stop is
        missing.""",
    pieces=(
        Piece(
            slug="bean-diary",
            title="Growing a bean",
            purpose="Recount of a science activity",
            written_on="03-02",
            independence="independent",
            finish="photo",
            upload_names=("IMG_4588.JPG",),
            sticker="L.O. I can write about what we did in science.",
            sheets=(
                Sheet(
                    text="""First we put some cotton wool in a jar. Then we put a bean in and we poured some water
                    on it. We put the jar on the window because beans need light. Then we waited. When we came back
                    on Monday the bean had a root! Then a green shoot grew up it got taller every day. Now it is
                    taller than the jar.""",
                    marks=(Mark("fix", "grew up it got", "full stop?"),),
                    notes=(
                        Note("First we put some cotton wool in a jar.", "Told in order from the start.", ("EXS.2",)),
                        Note("because beans need light.", "'because' explains why.", ("EXS.4",)),
                        Note("the bean had a root!", "Exclamation mark for the surprise.", ("EXS.3",)),
                    ),
                ),
            ),
        ),
    ),
    evidence=(
        met("WTS.1", "Sentences follow on."),
        met("EXS.2", "A reader who was not there can follow the activity."),
        met("EXS.3", "Most boundaries marked; one run-on sentence."),
        met("EXS.4", "'when' and 'because' used."),
        met("EXS.5", "Taught words mostly correct."),
        not_met("GDS.1", "'Then' starts most sentences."),
    ),
)

# Year 2, greater depth: language borrowed from reading, self-correction, commas in a list, apostrophes.
KS1_GDS_DRAGON = Pupil(
    name="Noah Achterberg",
    code="Y2-019",
    school_urn="990111",
    teacher=ALL_THROUGH_LEAD,
    year_group=2,
    framework="ks1-writing-ta",
    judgement="GDS",
    submitted=True,
    seed=19,
    wide_lines=True,
    hand=Hand(BREIP, 38, BLUE_BIRO, wobble=1.4, bounce=1.6, drift=3.0, paragraphs="none"),
    commentary="""The story borrows the patterns of the traditional tales the class has read ('deep in the dark,
        dark forest') and changes its language to build suspense. The pupil rereads and improves without being asked
        ('big' crossed out for 'enormous'). Commas separate items in a list and apostrophes are used for possession
        and contraction; suffixes such as '-ful' and '-ness' are spelt correctly. Greater depth.""",
    pieces=(
        Piece(
            slug="dragon-story",
            title="The dragon who was afraid of the dark",
            purpose="Story",
            written_on="02-10",
            independence="independent",
            finish="photo",
            upload_names=("IMG_4402.JPG",),
            sheets=(
                Sheet(
                    text="""Deep in the dark, dark forest there lived a ~big~ enormous dragon called Ember. Ember
                    had shiny scales, sharp claws and a long, swishing tail. But Ember had a secret. She was afraid
                    of the dark! Every night she hid in her cave and shivered. "I'm so scared," she whispered. One
                    night a tiny mouse crept in. "Don't be frightened," said the mouse kindly. "The stars are your
                    friends." Ember peeped outside. The sky was full of twinkling stars and the darkness felt
                    peaceful. From that night on, Ember's cave was never lonely again.""",
                    marks=(
                        Mark("margin", "Deep in the dark, dark forest", "like a real story!"),
                        Mark("tick", "the darkness felt peaceful."),
                    ),
                    notes=(
                        Note("Deep in the dark, dark forest", "Language borrowed from traditional tales.", ("GDS.1",)),
                        Note("enormous dragon called Ember.", "'big' crossed out and improved unprompted.", ("GDS.2",)),
                        Note("shiny scales, sharp claws and a long, swishing tail.", "Commas in a list.", ("GDS.3",)),
                        Note("the darkness felt peaceful.", "Suffixes '-ness' and '-ful' spelt correctly.", ("GDS.4",)),
                        Note(
                            "I'm so scared, she whispered.", "Apostrophe for a contraction; speech marks.", ("GDS.3",)
                        ),
                    ),
                ),
            ),
        ),
    ),
    evidence=(
        met("EXS.1", "A story with a beginning, middle and end."),
        met("EXS.3", "Sentence boundaries and an exclamation mark."),
        met("GDS.1", "Patterns borrowed from traditional tales."),
        met("GDS.2", "Improves word choices unprompted."),
        met("GDS.3", "Commas in a list, apostrophes for contraction and possession."),
        met("GDS.4", "'peaceful', 'darkness' spelt correctly."),
    ),
)

# Year 6, working towards and just below the expected standard: one half of the demo's boundary pair.
KS2_WTS_HIGH = Pupil(
    name="Jayden Price",
    code="Y6-040",
    school_urn="990109",
    teacher=MARKET_STREET_LEAD,
    year_group=6,
    framework="ks2-writing-ta",
    judgement="WTS",
    submitted=True,
    seed=40,
    hand=Hand(BREIP, 31, BLUE_BIRO, slant=0.05, wobble=1.8, bounce=2.0, drift=3.5),
    commentary="""A story in paragraphs with a clear sense of the reader, settings described with adjectives and
        short phrases, and speech used to move the action on. Just below the expected standard: inverted commas are
        used but the punctuation inside them is not yet secure, tense slips twice, and paragraphs are linked only by
        'then' and 'after that'.""",
    pieces=(
        Piece(
            slug="cave-story",
            title="The cave",
            purpose="Adventure story",
            written_on="02-03",
            independence="independent",
            finish="scan",
            upload_names=("Scan_0212.pdf",),
            sheets=(
                Sheet(
                    text="""The cave was dark and cold. Water dripped from the rocky roof and our torches made long
                    shadows on the walls. Sam went first because he was the bravest.

                    "Can you hear that" whispered Ella. There was a low growl coming from deep inside the cave.
                    Sam stops and shines his torch into the darkness. Two yellow eyes was staring back at us.

                    Then we ran as fast as we could. After that we got to the entrance and the sunlight was so
                    bright I had to close my eyes. "That was close" said Sam. We never went back to the cave
                    again.""",
                    marks=(
                        Mark("fix", "Sam stops and shines", "past tense"),
                        Mark("margin", "The cave was dark and cold.", "good setting"),
                        Mark("end", text="An exciting story! Check the punctuation inside your speech marks."),
                    ),
                    notes=(
                        Note(
                            "Water dripped from the rocky roof",
                            "Setting described simply with an adjective.",
                            ("WTS.3",),
                        ),
                        Note(
                            '"Can you hear that" whispered Ella.',
                            "Speech moves the story on; no question mark.",
                            ("EXS.2",),
                        ),
                        Note("Sam stops and shines his torch", "Tense slips into the present.", ("EXS.4",)),
                        Note("Then we ran as fast as we could.", "Paragraphs linked only by 'then'.", ("WTS.2",)),
                    ),
                ),
            ),
        ),
    ),
    evidence=(
        met("WTS.1", "A story with a sense of its reader."),
        met("WTS.2", "Paragraphs separate the main events."),
        met("WTS.3", "Setting described with adjectives and short phrases."),
        met("WTS.4", "Year 3 and 4 words spelt correctly."),
        met("WTS.5", "Legible and mostly joined."),
        not_met("EXS.4", "The tense slips and 'eyes was'."),
        not_met("EXS.5", "Question mark and commas missing inside speech."),
    ),
)

# Year 6, expected and just at it: the other half of the boundary pair.
KS2_EXS_JUST = Pupil(
    name="Amelia Okoro",
    code="Y6-047",
    school_urn="990108",
    teacher=ST_AIDANS_LEAD,
    year_group=6,
    framework="ks2-writing-ta",
    judgement="EXS",
    submitted=True,
    seed=47,
    hand=Hand(DKG, 29, BLACK_PEN, slant=0.06, wobble=1.0, bounce=1.0, drift=2.5),
    commentary="""The same kind of story as the working towards half of this pair, and just across the line: speech
        is punctuated correctly and shows what the characters are like, tenses stay consistent, and paragraphs are
        linked by adverbials of time and place and by pronouns. Just at the expected standard: description is still
        mostly adjective and noun, and the letter keeps one register.""",
    pieces=(
        Piece(
            slug="tunnel-story",
            title="The tunnel",
            purpose="Adventure story",
            written_on="02-03",
            independence="independent",
            finish="scan",
            upload_names=("Scan_0300.pdf",),
            sheets=(
                Sheet(
                    text="""The tunnel smelled of damp earth and old leaves. At the far end, a thin line of light
                    showed where the door must be.

                    "Are you sure about this?" asked Leo, gripping my sleeve. "My mum will go mad if we're late
                    again."

                    "Stop worrying," I said. "It's only a tunnel."

                    Halfway along, something moved beside my foot. I froze. Slowly, I pointed my torch at the
                    ground and saw a hedgehog curled into a tight, prickly ball. Leo laughed so loudly that the
                    sound echoed all around us.

                    When we finally reached the door, it was locked. We looked at each other and, without a word,
                    turned back towards home.""",
                    marks=(
                        Mark("tick", "Slowly, I pointed my torch"),
                        Mark("margin", "Halfway along,", "linking adverbial"),
                    ),
                    notes=(
                        Note(
                            '"Are you sure about this?" asked Leo,',
                            "Speech punctuated; it shows Leo is nervous.",
                            ("EXS.2", "EXS.5"),
                        ),
                        Note("Halfway along, something moved", "Adverbial of place links the paragraphs.", ("EXS.3",)),
                        Note(
                            "When we finally reached the door,",
                            "Adverbial of time; tenses consistent.",
                            ("EXS.3", "EXS.4"),
                        ),
                    ),
                ),
            ),
        ),
        Piece(
            slug="trip-letter",
            title="Letter about the residential trip",
            purpose="Formal letter",
            written_on="03-11",
            independence="independent",
            finish="scan",
            upload_names=("Scan_0301.pdf",),
            sheets=(
                Sheet(
                    text="""Dear Mrs Hallam,

                    I am writing to ask whether Year 6 could visit the outdoor centre again this summer. Last year,
                    pupils learned to work as a team and many tried activities they had never done before.

                    Furthermore, the trip would help us to prepare for secondary school, where we will need to be
                    more independent. We would be happy to raise money for the coach ourselves.

                    I hope you will consider this request.
                    | Yours sincerely,
                    | Amelia""",
                    redact=("Amelia",),
                    notes=(
                        Note(
                            "I am writing to ask whether Year 6",
                            "A formal tone chosen for the headteacher.",
                            ("EXS.1",),
                        ),
                        Note("Furthermore, the trip would help us", "Adverbial links the argument.", ("EXS.3",)),
                    ),
                ),
            ),
        ),
    ),
    evidence=(
        met("EXS.1", "Story and formal letter each suit their reader."),
        met("EXS.2", "Dialogue shows character and moves the story on."),
        met("EXS.3", "Adverbials of time and place, pronouns."),
        met("EXS.4", "Tenses consistent throughout."),
        met("EXS.5", "Speech punctuation accurate."),
        met("EXS.6", "Year 5 and 6 words spelt correctly."),
        not_met("GDS.2", "Each piece keeps one register."),
        not_met("GDS.4", "No semi-colons, dashes or colons."),
    ),
)

# Year 6, greater depth across three purposes: the collection Y6-031's panel asked for.
KS2_GDS_RANGE = Pupil(
    name="Freya Lindqvist",
    code="Y6-044",
    school_urn="990108",
    teacher=ST_AIDANS_LEAD,
    year_group=6,
    framework="ks2-writing-ta",
    judgement="GDS",
    submitted=True,
    seed=44,
    holes=True,
    hand=Hand(BREIP, 29, FOUNTAIN_BLUE, slant=0.1, wobble=0.8, bounce=1.0, drift=2.5),
    commentary="""Greater depth across three purposes: a newspaper report, a persuasive speech and a story. Each
        borrows the features of what the pupil has read (the report's quoted witness, the speech's rule of three),
        the speech moves from formal argument to a personal aside and back under control, the passive hides who
        acted where it matters, and semi-colons, colons and dashes are used precisely.""",
    pieces=(
        Piece(
            slug="flood-report",
            title="River bursts its banks",
            purpose="Newspaper report",
            written_on="11-18",
            independence="independent",
            finish="scan",
            upload_names=("Scan_1118.pdf",),
            sheets=(
                Sheet(
                    text="""Residents of Millbrook were evacuated last night after the River Wend burst its banks
                    following three days of heavy rain.

                    Forty homes were flooded and the high street was closed; the cost of the damage is not yet
                    known. Sandbags had been delivered on Monday, but many were swept away within hours.

                    "The water came up faster than anyone expected," said one shopkeeper. "We lost everything on the
                    ground floor - stock, furniture, the lot."

                    The council has promised an urgent review of the town's flood defences.""",
                    notes=(
                        Note(
                            "Residents of Millbrook were evacuated last night",
                            "Passive: who evacuated them does not matter.",
                            ("GDS.3",),
                        ),
                        Note("the high street was closed; the cost", "Semi-colon joins related clauses.", ("GDS.4",)),
                        Note("said one shopkeeper.", "A quoted witness, borrowed from real reports.", ("GDS.1",)),
                    ),
                ),
            ),
        ),
        Piece(
            slug="uniform-speech",
            title="Should we wear school uniform?",
            purpose="Persuasive speech",
            written_on="01-13",
            independence="independent",
            finish="scan",
            upload_names=("Scan_0113.pdf",),
            sheets=(
                Sheet(
                    text="""Good morning, everyone. Today I will argue that school uniform should stay: it is fair,
                    it is practical and it makes us proud of our school.

                    Uniform is fair because nobody is judged by what they can afford. To be honest, I used to hate
                    my blazer (it is far too big for me) but I have changed my mind.

                    Some people claim that uniform stops us expressing ourselves. However, we express ourselves
                    through what we say and do, not through what we wear.

                    So, let us keep our uniform - and wear it with pride.""",
                    notes=(
                        Note(
                            "it is fair, it is practical and it makes us proud",
                            "The rule of three, borrowed from speeches.",
                            ("GDS.1",),
                        ),
                        Note(
                            "To be honest, I used to hate my blazer",
                            "An informal aside, controlled, then back to argument.",
                            ("GDS.2",),
                        ),
                        Note(
                            "Today I will argue that school uniform should stay:",
                            "Colon introduces the three reasons.",
                            ("GDS.4",),
                        ),
                    ),
                ),
            ),
        ),
        Piece(
            slug="lighthouse-story",
            title="The last light",
            purpose="Story",
            written_on="03-03",
            independence="independent",
            finish="scan",
            upload_names=("Scan_0303.pdf",),
            sheets=(
                Sheet(
                    text="""Nobody had climbed the lighthouse steps for fifty years. Nobody, that is, until Grace.

                    The door groaned. Inside, the air was thick with salt and silence; somewhere above her, a
                    shutter banged in the wind. She climbed. Two hundred steps. Three hundred.

                    At the top, the great lamp stood cold and grey - but beneath it, someone had left a candle,
                    still warm.""",
                    notes=(
                        Note(
                            "Nobody, that is, until Grace.",
                            "A short sentence repeats the opening for suspense.",
                            ("GDS.3",),
                        ),
                        Note("Two hundred steps. Three hundred.", "Fragments chosen for effect.", ("GDS.3",)),
                        Note(
                            "someone had left a candle, still warm.", "A dash sets up the twist at the end.", ("GDS.4",)
                        ),
                    ),
                ),
            ),
        ),
    ),
    evidence=(
        met("EXS.1", "Three forms, each suited to its reader."),
        met("EXS.2", "Atmosphere built through setting."),
        met("EXS.5", "Speech punctuation accurate."),
        met("GDS.1", "Features borrowed from reports, speeches and stories."),
        met("GDS.2", "Controlled shift of register within the speech."),
        met("GDS.3", "Passive and sentence length chosen for effect."),
        met("GDS.4", "Semi-colons, colons, dashes and brackets used precisely."),
    ),
)

# Year 4, APP-style: a range of writing reviewed against the assessment focuses, judged level 3 secure.
APP_LEVEL_3 = Pupil(
    name="Harry Sutcliffe",
    code="Y4-051",
    school_urn="990102",
    teacher=SALTMARSH_JUNIOR_LEAD,
    year_group=4,
    framework="app-writing",
    judgement="3b",
    submitted=True,
    seed=51,
    hand=Hand(FEMKE, 36, PENCIL, wobble=2.0, bounce=2.2, drift=3.5, pencil=True, capitals=BREIP),
    commentary="""An APP review of a range: a non-chronological report and a story. Across both, ideas are developed
        with relevant detail (AF1), the report uses headings (AF2), related ideas are grouped and linked with simple
        connectives (AF4), most sentences are demarcated (AF6) and some words are chosen for effect (AF7). Level 3
        secure: the level 4 focuses, such as complex sentences and a linked opening and ending, are not yet
        evident.""",
    pieces=(
        Piece(
            slug="hedgehog-report",
            title="All about hedgehogs",
            purpose="Non-chronological report",
            written_on="10-07",
            independence="independent",
            finish="photo",
            upload_names=("IMG_6101.JPG",),
            sheets=(
                Sheet(
                    text="""All about hedgehogs

                    What do they look like?
                    | Hedgehogs are small brown animals with about 5000 spines on their backs. They have a pointy
                    nose and tiny black eyes.

                    Where do they live?
                    | Hedgehogs live in gardens, hedges and woods. In winter they hibernate in a nest of leaves.

                    What do they eat?
                    | They eat beetles, worms and slugs so gardeners like them.""",
                    notes=(
                        Note("What do they look like?", "Question headings: features of a report.", ("L3.AF2",)),
                        Note(
                            "In winter they hibernate in a nest of leaves.",
                            "Related facts grouped under a heading.",
                            ("L3.AF4",),
                        ),
                        Note("so gardeners like them.", "Simple connective 'so' links ideas.", ("L3.AF4",)),
                    ),
                ),
            ),
        ),
        Piece(
            slug="storm-story",
            title="The storm",
            purpose="Story",
            written_on="12-02",
            independence="independent",
            finish="photo",
            upload_names=("IMG_6240.JPG",),
            sheets=(
                Sheet(
                    text="""The wind howled around the house and the rain hammered on the windows. Tom could not
                    sleep. Suddenly there was a loud crash! He crept downstairs and saw that the big oak tree had
                    fallen across the garden. His dad came down too. "Are you alright?" he asked. They sat together
                    and watched the storm until the sun came up.""",
                    marks=(Mark("tick", "The wind howled around the house"),),
                    notes=(
                        Note(
                            "The wind howled around the house", "Setting described to interest the reader.", ("L3.AF1",)
                        ),
                        Note("He crept downstairs", "'crept' chosen to show how he moved.", ("L3.AF7",)),
                        Note('"Are you alright?" he asked.', "Sentences demarcated; speech punctuated.", ("L3.AF6",)),
                    ),
                ),
            ),
        ),
    ),
    evidence=(
        met("L2.AF1", "Relevant ideas with detail."),
        met("L2.AF3", "Events in order."),
        met("L3.AF1", "The storm is described to interest the reader."),
        met("L3.AF2", "Report headings; story form."),
        met("L3.AF4", "Ideas grouped and linked with 'so' and 'until'."),
        met("L3.AF6", "Most sentences demarcated."),
        met("L3.AF7", "'howled', 'hammered', 'crept'."),
        not_met("L4.AF5", "No complex sentences with 'although' or 'while'."),
        not_met("L4.AF3", "The opening and ending are not linked."),
    ),
)

# Year 5, APP-style: level 4 secure, from one piece of the range.
APP_LEVEL_4 = Pupil(
    name="Mia Kowalczyk",
    code="Y5-058",
    school_urn="990102",
    teacher=SALTMARSH_JUNIOR_LEAD,
    year_group=5,
    framework="app-writing",
    judgement="4b",
    submitted=True,
    seed=58,
    hand=Hand(DKG, 30, BLUE_BIRO, slant=0.05, wobble=1.2, bounce=1.2, drift=3.0),
    commentary="""An APP review of an explanation written in science. The pupil keeps to the purpose and form
        throughout (AF2), links the opening question to the closing answer (AF3), uses complex sentences with
        'although' and 'which' (AF5), and punctuates accurately, with commas after fronted clauses (AF6). Level 4
        secure: paragraphs are not yet built around a main idea that develops the explanation (level 5, AF4).""",
    pieces=(
        Piece(
            slug="water-cycle",
            title="Where does rain come from?",
            purpose="Explanation",
            written_on="01-27",
            independence="independent",
            finish="photo",
            upload_names=("IMG_6833.JPG",),
            sheets=(
                Sheet(
                    text="""Have you ever wondered where rain comes from? The answer is the water cycle.

                    When the sun heats the sea, some of the water turns into water vapour, which rises into the
                    sky. This is called evaporation. As the vapour rises, it cools and turns back into tiny drops
                    of water. These drops gather together to make clouds.

                    Although clouds look light and fluffy, they can hold a lot of water. When the drops get too
                    heavy, they fall as rain, snow or hail. The water flows into rivers and back to the sea, and
                    the cycle starts again.

                    So next time it rains, remember that the water has been on a long journey!""",
                    notes=(
                        Note(
                            "Have you ever wondered where rain comes from?",
                            "Opening question answered at the end.",
                            ("L4.AF3",),
                        ),
                        Note(
                            "Although clouds look light and fluffy,",
                            "Complex sentence with 'although'.",
                            ("L4.AF5", "L4.AF6"),
                        ),
                        Note("This is called evaporation.", "Keeps to the form of an explanation.", ("L4.AF2",)),
                    ),
                ),
            ),
        ),
    ),
    evidence=(
        met("L3.AF2", "The purpose is clear throughout."),
        met("L4.AF2", "Purpose and form kept throughout."),
        met("L4.AF3", "Opening question and closing answer linked."),
        met("L4.AF5", "'although', 'which', 'when' clauses."),
        met("L4.AF6", "Commas after fronted clauses."),
        met("L4.AF8", "Polysyllabic words spelt correctly."),
        not_met("L5.AF4", "Paragraphs do not yet develop one main idea each."),
    ),
)

# Year 7 again, working within: a middle school's pupil on the key stage 3 scale, across the phase boundary.
KS3_YEAR7_W = Pupil(
    name="Ethan Marsh",
    code="Y7-108",
    school_urn="990106",
    teacher=UPPER_FELL_LEAD,
    year_group=7,
    framework="ks3-writing-steps",
    judgement="w",
    submitted=True,
    seed=108,
    hand=Hand(BREIP, 29, BLUE_BIRO, slant=0.03, wobble=1.3, bounce=1.4, drift=3.0),
    commentary="""A letter to the council organised so that it builds towards its request, with topic sentences and
        connectives such as 'however' and 'as a result'; the tone suits its reader. Commas and apostrophes are
        accurate and a semi-colon is attempted. Working within: sentence variety for effect and precise vocabulary
        are not yet consistent.""",
    pieces=(
        Piece(
            slug="skate-park-letter",
            title="Letter to the council about the skate park",
            purpose="Formal letter",
            written_on="11-25",
            independence="independent",
            finish="photo",
            upload_names=("IMG_7002.JPG",),
            sheets=(
                Sheet(
                    text="""Dear Councillor Ahmed,

                    I am writing about the skate park on Fell Road, which has been closed since September.

                    Firstly, the park was the only place in the village where teenagers could meet safely. As a
                    result of the closure, many of my friends now hang around outside the shop, which annoys the
                    owners.

                    However, I understand that the ramps were damaged and needed repairs. I would like to suggest
                    that students from our school help to raise money; we could hold a sponsored skate.

                    I hope you will reopen the park soon.
                    | Yours sincerely,
                    | Ethan""",
                    redact=("Ethan",),
                    notes=(
                        Note("Firstly, the park was the only place", "Topic sentence opens the argument.", ("w.1",)),
                        Note("As a result of the closure,", "Connective builds towards the point.", ("w.1",)),
                        Note("help to raise money; we could hold", "A semi-colon attempted correctly.", ("w.4",)),
                        Note(
                            "I understand that the ramps were damaged",
                            "A formal, reasonable tone for a councillor.",
                            ("w.2",),
                        ),
                    ),
                ),
            ),
        ),
    ),
    evidence=(
        met("b.1", "Paragraphs throughout."),
        met("w.1", "Builds towards the request with topic sentences."),
        met("w.2", "Tone suits a councillor."),
        met("w.4", "Commas, apostrophes and a semi-colon."),
        not_met("w.3", "Sentences are mostly of one length."),
        not_met("s.2", "Not yet sustained across forms."),
    ),
)

EXEMPLAR_PUPILS = (
    KS1_WTS_PET,
    KS1_EXS_TEDDY,
    KS1_EXS_BEANS,
    KS1_GDS_DRAGON,
    KS2_WTS_HIGH,
    KS2_EXS_JUST,
    KS2_GDS_RANGE,
    APP_LEVEL_3,
    APP_LEVEL_4,
    KS3_YEAR7_W,
)

PUPILS = (KS2_WTS, KS2_EXS, KS2_GDS, KS1_WTS, KS1_EXS, KS3_YEAR7, KS3_YEAR9, *EXEMPLAR_PUPILS)


# Drawing a page ------------------------------------------------------------------------------------------


@dataclass
class Written:
    """A word on the page and the box its ink covers."""

    text: str
    box: Box
    line: int
    crossed_out: bool = False


@dataclass
class DrawnPage:
    image: Image.Image
    name_words: list[Written]
    body: list[Written]
    holes: list[Box] = field(default_factory=list)


_FONTS: dict[tuple[Path, int], ImageFont.FreeTypeFont] = {}


def font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    if (path, size) not in _FONTS:
        _FONTS[path, size] = ImageFont.truetype(str(path), size)
    return _FONTS[path, size]


def comparable(word: str) -> str:
    return re.sub(r"[^\w]", "", word.lower())


class PageWriter:
    """Writes a pupil's words line by line on lined paper, as a hand would: never quite straight."""

    def __init__(self, pupil: Pupil, rng: random.Random) -> None:
        self.pupil, self.hand, self.rng = pupil, pupil.hand, rng
        self.gap = 64 if pupil.wide_lines else 44
        self.image = lined_paper(self.gap, rng)
        self.line = 0
        self.x = float(MARGIN_X + 14)
        self.drift_phase = rng.uniform(0, math.tau)
        self.margin_bottom = 0.0  # the margin below this is free for the next note

    @property
    def line_count(self) -> int:
        return (PAGE_SIZE[1] - 40 - FIRST_RULE_Y) // self.gap + 1

    def baseline(self, x: float) -> float:
        """Where letters sit at ``x`` on the current line: just above the rule, wandering a little."""
        wander = self.hand.drift * math.sin(self.drift_phase + self.line * 1.7 + x / 260)
        return FIRST_RULE_Y + self.line * self.gap - 5 + wander

    def new_line(self, indent: float = 0.0) -> None:
        self.line += 1
        if self.line >= self.line_count:
            raise click.ClickException(f"{self.pupil.code}: the text does not fit on the page; split the sheet")
        self.x = MARGIN_X + 14 + indent + self.rng.uniform(-3, 3)

    def write_words(self, text: str, hand: Hand | None = None, *, wrap: bool = True) -> list[Written]:
        hand = hand or self.hand
        written = []
        for token in text.split():
            crossed = token.startswith("~") and token.endswith("~")
            word = token.strip("~") if crossed else token
            width = font(hand.font, hand.size).getlength(word)
            if wrap and self.x + width > RIGHT_EDGE - self.rng.uniform(0, 30) and self.x > MARGIN_X + 80:
                self.new_line()
            box = draw_word(self.image, hand, word, (self.x, self.baseline(self.x)), self.rng)
            if crossed:
                cross_out(self.image, hand, box, self.rng)
            written.append(Written(word, box, self.line, crossed))
            self.x = box[2] + hand.size * self.rng.uniform(0.42, 0.6)
        return written

    def write_heading(self, title: str, date: str) -> list[Written]:
        """Name on the top line, the date at its right, the title centred and underlined below: the
        returned words are the name's."""
        name = self.write_words(self.pupil.name)
        if date:
            self.x = RIGHT_EDGE - font(self.hand.font, self.hand.size).getlength(date) * 1.2 - 10
            self.write_words(date, wrap=False)
        if title:
            self.new_line()
            self.x = (MARGIN_X + RIGHT_EDGE - font(self.hand.font, self.hand.size).getlength(title)) / 2
            words = self.write_words(title)
            underline(self.image, self.hand.ink, words, self.rng)
        self.new_line()
        return name

    def write_body(self, text: str) -> list[Written]:
        written: list[Written] = []
        for number, paragraph in enumerate(paragraphs(text)):
            if number:
                self.paragraph_break()
            for line_number, line in enumerate(paragraph.splitlines()):
                if line_number and line.strip().startswith("|"):
                    self.new_line()
                written += self.write_words(line.strip().removeprefix("|"))
        return written

    def paragraph_break(self) -> None:
        if self.hand.paragraphs == "skip":
            self.new_line()
            self.new_line()
        else:
            self.new_line(indent=46 if self.hand.paragraphs == "indent" else 0)


def paragraphs(text: str) -> list[str]:
    return re.split(r"\n\s*\n", text.strip())


def lined_paper(gap: int, rng: random.Random) -> Image.Image:
    """Cream paper with faint mottling, blue rules and a red margin."""
    paper = Image.new("RGB", PAGE_SIZE, (247, 242, 224))
    mottle = noise((24, 34), rng).resize(PAGE_SIZE, Image.Resampling.BICUBIC)
    shade = Image.new("RGB", PAGE_SIZE, (232, 224, 200))
    paper = Image.composite(shade, paper, mottle.point(lambda value: max(0, value - 128) // 3))
    draw = ImageDraw.Draw(paper)
    y = FIRST_RULE_Y
    while y < PAGE_SIZE[1] - 30:
        draw.line((0, y, PAGE_SIZE[0], y), fill=(163, 190, 222), width=2)
        y += gap
    draw.line((MARGIN_X, 0, MARGIN_X, PAGE_SIZE[1]), fill=(221, 112, 118), width=2)
    draw.line((MARGIN_X + 5, 0, MARGIN_X + 5, PAGE_SIZE[1]), fill=(226, 140, 144), width=1)
    return paper


def noise(size: tuple[int, int], rng: random.Random) -> Image.Image:
    """Uniform grey noise from ``rng`` (Pillow's own noise is not seeded, and the output must not change)."""
    return Image.frombytes("L", size, rng.randbytes(size[0] * size[1]))


def draw_word(page: Image.Image, hand: Hand, word: str, at: Point, rng: random.Random) -> Box:
    """Draw one word from ``at`` (its start on the baseline) letter by letter, each a little off the baseline
    and off size; the word leans and turns a little as a whole. Returns the box of its ink on the page."""
    size = hand.size
    pad = size
    width = int(font(hand.font, size).getlength(word) * 1.15) + 2 * pad
    mask = Image.new("L", (width, size * 3), 0)
    draw = ImageDraw.Draw(mask)
    origin = int(size * 1.8)
    pen_x = float(pad)
    for char in word:
        face = hand.capitals if hand.capitals and (char.isupper() or char.isdigit()) else hand.font
        letter = font(face, size + rng.choice((-1, 0, 0, 1)))
        pen_y = origin + rng.uniform(-hand.bounce, hand.bounce)
        draw.text((pen_x, pen_y), char, font=letter, anchor="ls", fill=255, stroke_width=hand.weight, stroke_fill=255)
        pen_x += letter.getlength(char) * rng.uniform(0.96, 1.05)
    if hand.slant:
        shear = (1, hand.slant, -hand.slant * origin, 0, 1, 0)
        mask = mask.transform(mask.size, Image.Transform.AFFINE, shear, Image.Resampling.BICUBIC)
    mask = mask.rotate(rng.uniform(-hand.wobble, hand.wobble), Image.Resampling.BICUBIC, center=(pad, origin))
    mask = ink_texture(mask, hand, rng)
    left, top = round(at[0] - pad), round(at[1] - origin)
    ink = tuple(max(0, min(255, channel + rng.randint(-8, 8))) for channel in hand.ink)
    page.paste(Image.new("RGB", mask.size, ink), (left, top), mask)
    ink_box = mask.getbbox() or (pad, origin - size // 2, pad + 1, origin)
    return (left + ink_box[0], top + ink_box[1], left + ink_box[2], top + ink_box[3])


def ink_texture(mask: Image.Image, hand: Hand, rng: random.Random) -> Image.Image:
    """A biro is not quite opaque; pencil is grainy and lighter."""
    if not hand.pencil:
        return mask.point(lambda value: value * 0.92)
    grain = noise(mask.size, rng).point(lambda value: 120 + value // 2)
    return ImageChops.multiply(mask, grain).filter(ImageFilter.GaussianBlur(0.4))


def cross_out(page: Image.Image, hand: Hand, box: Box, rng: random.Random) -> None:
    draw = ImageDraw.Draw(page)
    middle = (box[1] + box[3]) / 2
    for offset in (-2, 3):
        draw.line(
            (box[0] - 3, middle + offset + rng.uniform(-2, 2), box[2] + 3, middle + offset + rng.uniform(-2, 2)),
            fill=hand.ink,
            width=2,
        )


def underline(page: Image.Image, colour: Colour, words: Sequence[Written], rng: random.Random) -> None:
    draw = ImageDraw.Draw(page)
    for line in sorted({word.line for word in words}):
        on_line = [word for word in words if word.line == line]
        bottom = max(word.box[3] for word in on_line) + 5
        left, right = on_line[0].box[0] - 4, on_line[-1].box[2] + 4
        draw.line((left, bottom + rng.uniform(-1, 1), right, bottom + rng.uniform(-2, 2)), fill=colour, width=2)


# The teacher's marking -----------------------------------------------------------------------------------


def find_phrase(written: Sequence[Written], phrase: str, where: str) -> list[Written]:
    """The words of the phrase's first place on the sheet; crossed-out words are read past, as a teacher would."""
    words = [word for word in written if not word.crossed_out]
    wanted = [comparable(token) for token in phrase.split() if comparable(token)]
    keys = [comparable(word.text) for word in words]
    for start in range(len(words) - len(wanted) + 1):
        if keys[start : start + len(wanted)] == wanted:
            return list(words[start : start + len(wanted)])
    raise click.ClickException(f"{where}: {phrase!r} is not written on the sheet")


def mark_sheet(writer: PageWriter, sheet: Sheet, body: list[Written], where: str) -> None:
    """Marks from the top of the page down, as a teacher reads, so margin notes never overlap."""
    placed = [(find_phrase(body, mark.phrase, where), mark) for mark in sheet.marks if mark.kind != "end"]
    for words, mark in sorted(placed, key=lambda item: item[0][0].box[1]):
        draw_mark(writer, words, mark)
    for mark in sheet.marks:
        if mark.kind == "end":
            end_comment(writer, mark.text)


def draw_mark(writer: PageWriter, words: list[Written], mark: Mark) -> None:
    last = words[-1].box
    if mark.kind in ("tick", "margin"):
        tick(writer.image, last[2] - 18, last[1] - 14, 22, writer.rng)  # over the end of the phrase
    if mark.kind in ("margin", "fix"):
        margin_note(writer, words[0], mark.text, TEACHER_GREEN if mark.kind == "margin" else TEACHER_RED)
    if mark.kind == "sp":
        circle(writer.image, words[0].box, writer.rng)
        margin_note(writer, words[0], "sp", TEACHER_RED)


def tick(page: Image.Image, x: float, y: float, size: float, rng: random.Random) -> None:
    """A quick tick: a short stroke down and a long one up, slightly curved."""
    lean = rng.uniform(-0.15, 0.1)
    points = [(0.0, 0.55), (0.18, 0.75), (0.34, 1.0), (0.62, 0.5), (1.0, -0.1)]
    path = [(x + (px + lean * py) * size, y + py * size) for px, py in points]
    ImageDraw.Draw(page).line(path, fill=TEACHER_GREEN, width=3, joint="curve")


def circle(page: Image.Image, box: Box, rng: random.Random) -> None:
    left, top, right, bottom = box
    ImageDraw.Draw(page).ellipse(
        (left - 9 + rng.uniform(-2, 2), top - 7, right + 9 + rng.uniform(-2, 2), bottom + 7),
        outline=TEACHER_RED,
        width=2,
    )


def margin_note(writer: PageWriter, beside: Written, text: str, colour: Colour) -> None:
    """Small writing squeezed into the margin, starting level with the word it is about."""
    hand = Hand(DKG_ITALIC, 21, colour, wobble=2.0, bounce=0.8, drift=0.0)
    lines = wrap(text, hand, MARGIN_X - 16)
    y = max(beside.box[1] + 16, writer.margin_bottom + 30)
    for line in lines:
        x = 8.0
        for word in line.split():
            box = draw_word(writer.image, hand, word, (x, y), writer.rng)
            x = box[2] + 6
        y += 21
    writer.margin_bottom = y - 21


def end_comment(writer: PageWriter, text: str) -> None:
    """The teacher's comment under the work, on the lines, in the teacher's hand."""
    writer.new_line()
    writer.new_line()
    # On Year 2's wide lines the teacher writes bigger, for the child to read.
    writer.write_words(text, replace(TEACHER_HAND, size=30) if writer.pupil.wide_lines else TEACHER_HAND)


def wrap(text: str, hand: Hand, width: float) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and font(hand.font, hand.size).getlength(candidate) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


def draw_sheet(pupil: Pupil, piece: Piece, index: int, date: str) -> tuple[DrawnPage, random.Random]:
    """The sheet drawn and marked, and its random sequence, for the finish to carry on with."""
    rng = random.Random(f"{pupil.seed}-{piece.slug}-{index}")  # noqa: S311 - jitter for drawing, not secrets
    writer = PageWriter(pupil, rng)
    if piece.sticker and index == 0:
        stick_label(writer.image, f"{date}    {piece.sticker}", rng)
    first = index == 0
    name = writer.write_heading(piece.title if first else "", date if first and not piece.sticker else "")
    sheet = piece.sheets[index]
    body = writer.write_body(sheet.text)
    mark_sheet(writer, sheet, body, f"{pupil.code} {piece.slug} sheet {index + 1}")
    holes = [(30.0, y - 13, 56.0, y + 13) for y in (PAGE_SIZE[1] * 0.3, PAGE_SIZE[1] * 0.7)] if pupil.holes else []
    return DrawnPage(writer.image, name, body, holes), rng


def stick_label(page: Image.Image, text: str, rng: random.Random) -> None:
    """A printed label stuck on slightly crooked, as Year 2 books have: date and learning objective."""
    label = Image.new("RGBA", (640, 58), (255, 255, 252, 255))
    ImageDraw.Draw(label).text((16, 29), text, font=ImageFont.load_default(24), fill=(30, 30, 30), anchor="lm")
    label = label.rotate(rng.uniform(-1.8, 1.8), Image.Resampling.BICUBIC, expand=True)
    shadow = Image.new("RGBA", label.size, (0, 0, 0, 0))
    shadow.paste((120, 110, 90, 90), mask=label.getchannel("A"))
    shadow = shadow.filter(ImageFilter.GaussianBlur(3))
    x, y = (PAGE_SIZE[0] - label.width) // 2 + 40, 22
    page.paste(shadow, (x + 3, y + 4), shadow)
    page.paste(label, (x, y), label)


# How the paper reached the app: scanned, photographed or typed -------------------------------------------

Matrix = list[list[float]]
PHOTO_SIZE = (1020, 1360)  # a 3:4 phone photo, kept small


@dataclass
class Rendered:
    """One output file: its bytes and, per page, the boxes (fractions of the upright page) to put in the manifest."""

    data: bytes
    pages: list[dict[str, object]]


def homography(source: Sequence[Point], target: Sequence[Point]) -> Matrix:
    """The projective map taking each of four source points to its target point."""
    rows: list[list[float]] = []
    values: list[float] = []
    for (x, y), (u, v) in zip(source, target, strict=True):
        rows += [[x, y, 1, 0, 0, 0, -u * x, -u * y], [0, 0, 0, x, y, 1, -v * x, -v * y]]
        values += [u, v]
    a, b, c, d, e, f, g, h = solve(rows, values)
    return [[a, b, c], [d, e, f], [g, h, 1.0]]


def solve(rows: list[list[float]], values: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (no numpy needed for an 8 by 8 system)."""
    matrix = [[*row, value] for row, value in zip(rows, values, strict=True)]
    size = len(matrix)
    for column in range(size):
        pivot = max(range(column, size), key=lambda row: abs(matrix[row][column]))
        matrix[column], matrix[pivot] = matrix[pivot], matrix[column]
        for row in range(size):
            if row != column:
                factor = matrix[row][column] / matrix[column][column]
                matrix[row] = [a - factor * b for a, b in zip(matrix[row], matrix[column], strict=True)]
    return [matrix[row][size] / matrix[row][row] for row in range(size)]


def project(matrix: Matrix, point: Point) -> Point:
    x, y = point
    w = matrix[2][0] * x + matrix[2][1] * y + matrix[2][2]
    return (
        (matrix[0][0] * x + matrix[0][1] * y + matrix[0][2]) / w,
        (matrix[1][0] * x + matrix[1][1] * y + matrix[1][2]) / w,
    )


PAGE_CORNERS: tuple[Point, ...] = ((0, 0), (PAGE_SIZE[0], 0), (PAGE_SIZE[0], PAGE_SIZE[1]), (0, PAGE_SIZE[1]))


def warp(sheet: Image.Image, corners: Sequence[Point], size: tuple[int, int]) -> Image.Image:
    """The sheet (RGBA) with its corners moved to ``corners`` on a transparent canvas of ``size``."""
    back = homography(corners, PAGE_CORNERS)  # Pillow asks where each output pixel comes from
    coefficients = [value for row in back for value in row][:8]
    return sheet.transform(size, Image.Transform.PERSPECTIVE, coefficients, Image.Resampling.BICUBIC)


def with_holes(page: DrawnPage) -> Image.Image:
    sheet = page.image.convert("RGBA")
    draw = ImageDraw.Draw(sheet)
    for hole in page.holes:
        draw.ellipse(hole, fill=(0, 0, 0, 0))
    return sheet


def scanned(page: DrawnPage, rng: random.Random) -> tuple[Image.Image, Matrix]:
    """A flatbed scan: the sheet a little crooked on the grey lid, the paper lit flat and brighter."""
    angle = math.radians(rng.uniform(-0.9, 0.9))
    centre_x, centre_y = PAGE_SIZE[0] / 2 + rng.uniform(-6, 6), PAGE_SIZE[1] / 2 + rng.uniform(-4, 8)
    corners = [
        (
            centre_x + (x - PAGE_SIZE[0] / 2) * math.cos(angle) - (y - PAGE_SIZE[1] / 2) * math.sin(angle),
            centre_y + (x - PAGE_SIZE[0] / 2) * math.sin(angle) + (y - PAGE_SIZE[1] / 2) * math.cos(angle),
        )
        for x, y in PAGE_CORNERS
    ]
    scan = Image.new("RGB", PAGE_SIZE, (228, 228, 226))
    sheet = warp(with_holes(page), corners, PAGE_SIZE)
    scan.paste(sheet, mask=sheet.getchannel("A"))
    # A scanner's lamp washes out the cream of the paper; a little grey keeps the ink colours.
    scan = Image.blend(scan, scan.convert("L").convert("RGB"), 0.45)
    scan = scan.point(lambda value: min(255, round(value * 1.06 + 6)))
    return scan, homography(PAGE_CORNERS, corners)


def photographed(page: DrawnPage, rng: random.Random) -> tuple[Image.Image, Matrix]:
    """A phone photo: the sheet on a table seen from a little off-square, with its shadow and uneven light."""
    width, height = PHOTO_SIZE
    # Held above the top of the sheet and tilted: the far (top) edge comes out narrower than the near one.
    square = [(95, 80), (width - 110, 105), (width - 55, height - 70), (60, height - 95)]
    turn = math.radians(rng.uniform(-3.5, 3.5))  # and the phone not quite square to the sheet
    corners = [
        (
            width / 2 + (x - width / 2) * math.cos(turn) - (y - height / 2) * math.sin(turn) + rng.uniform(-20, 20),
            height / 2 + (x - width / 2) * math.sin(turn) + (y - height / 2) * math.cos(turn) + rng.uniform(-16, 16),
        )
        for x, y in square
    ]
    photo = table(rng)
    shadow = Image.new("L", PHOTO_SIZE, 0)
    ImageDraw.Draw(shadow).polygon([(x + 14, y + 18) for x, y in corners], fill=130)
    photo.paste((20, 16, 12), mask=shadow.filter(ImageFilter.GaussianBlur(16)))
    sheet = warp(with_holes(page), corners, PHOTO_SIZE)
    photo.paste(sheet, mask=sheet.getchannel("A"))
    photo = ImageChops.multiply(photo, room_light(rng)).filter(ImageFilter.GaussianBlur(0.55))
    return photo, homography(PAGE_CORNERS, corners)


def table(rng: random.Random) -> Image.Image:
    """A wooden table top or a grey classroom desk, with soft grain."""
    wooden = rng.random() < 0.5
    base, streak = ((118, 86, 58), (92, 64, 42)) if wooden else ((126, 128, 124), (104, 106, 103))
    grain = noise((10, 240) if wooden else (30, 40), rng).point(lambda value: value // 3)
    grain = grain.resize(PHOTO_SIZE, Image.Resampling.BICUBIC)
    return Image.composite(Image.new("RGB", PHOTO_SIZE, streak), Image.new("RGB", PHOTO_SIZE, base), grain)


def room_light(rng: random.Random) -> Image.Image:
    """Light from a window on one side, warm and falling off across the frame (multiplied into the photo)."""
    angle = math.radians(rng.choice((30, 60, 120, 150)) + rng.uniform(-15, 15))
    across = [((x - 15.5) * math.cos(angle) + (y - 15.5) * math.sin(angle)) / 22 for y in range(32) for x in range(32)]
    small = Image.new("L", (32, 32))
    small.putdata([round(127.5 + 127 * max(-1.0, min(1.0, value))) for value in across])
    gradient = small.resize(PHOTO_SIZE, Image.Resampling.BICUBIC).point(lambda value: 196 + value // 5)
    return Image.merge(
        "RGB",
        [gradient, gradient.point(lambda value: round(value * 0.97)), gradient.point(lambda value: round(value * 0.9))],
    )


def camera_exif(orientation: int, taken: str) -> Image.Exif:
    """What a school iPad writes into a photo: make, model, software, time, orientation and where it was."""
    exif = Image.Exif()
    exif[0x010F] = "Apple"  # Make
    exif[0x0110] = "iPad (9th generation)"  # Model
    exif[0x0131] = "17.5.1"  # Software
    exif[0x0132] = taken  # DateTime
    exif[0x0112] = orientation  # Orientation
    exif[0x8825] = {1: "N", 2: (53.0, 44.0, 21.37), 3: "W", 4: (2.0, 29.0, 8.91), 5: 0, 6: 112.4}  # GPSInfo
    return exif


STORED_TURN = {1: 0, 3: 180, 6: 90, 8: -90}  # a camera stores the sensor's pixels; the tag says how to turn them


def jpeg(image: Image.Image, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, **options)
    return buffer.getvalue()


def boxes_on(drawn: DrawnPage, sheet: Sheet, matrix: Matrix, size: tuple[int, int], where: str) -> dict[str, object]:
    """The manifest's entry for a page: name and other giveaways to redact, annotations, all as fractions."""
    redactions = [pad(union(drawn.name_words), 12)]
    redactions += [pad(union(find_phrase(drawn.body, phrase, where)), 12) for phrase in sheet.redact]
    annotations = [
        {
            "box": fraction(project_box(matrix, pad(union(find_phrase(drawn.body, note.phrase, where)), 8)), size),
            "comment": note.comment,
            "criteria": list(note.criteria),
        }
        for note in sheet.notes
    ]
    return {
        "redactions": [fraction(project_box(matrix, box), size) for box in redactions],
        "annotations": annotations,
    }


def union(words: Sequence[Written]) -> Box:
    return (
        min(word.box[0] for word in words),
        min(word.box[1] for word in words),
        max(word.box[2] for word in words),
        max(word.box[3] for word in words),
    )


def pad(box: Box, by: float) -> Box:
    return (box[0] - by, box[1] - by, box[2] + by, box[3] + by)


def project_box(matrix: Matrix, box: Box) -> Box:
    corners = [
        project(matrix, point) for point in ((box[0], box[1]), (box[2], box[1]), (box[2], box[3]), (box[0], box[3]))
    ]
    return union([Written("", (x, y, x, y), 0) for x, y in corners])


def fraction(box: Box, size: tuple[int, int]) -> list[float]:
    width, height = size
    left, top, right, bottom = box
    return [
        round(max(0.0, left / width), 4),
        round(max(0.0, top / height), 4),
        round(min(1.0, right / width), 4),
        round(min(1.0, bottom / height), 4),
    ]


def render_handwritten(pupil: Pupil, piece: Piece) -> list[Rendered]:
    """The piece's files: a PDF of all its scanned sheets, or one photo per sheet."""
    date = written_date(piece.written_on, short=bool(piece.sticker))
    pages = []
    for index, sheet in enumerate(piece.sheets):
        drawn, rng = draw_sheet(pupil, piece, index, date)
        where = f"{pupil.code} {piece.slug} sheet {index + 1}"
        finish = scanned if piece.finish == "scan" else photographed
        image, matrix = finish(drawn, rng)
        pages.append((image, boxes_on(drawn, sheet, matrix, image.size, where)))
    if piece.finish == "scan":
        return [Rendered(scan_pdf([image for image, _boxes in pages]), [boxes for _image, boxes in pages])]
    return [
        Rendered(photo_file(image, orientation, piece.written_on), [boxes])
        for (image, boxes), orientation in zip(pages, piece.orientations, strict=True)
    ]


def photo_file(image: Image.Image, orientation: int, date: str) -> bytes:
    """The photo as the camera stores it: pixels turned as the sensor saw them, EXIF saying how to show them."""
    stored = image.rotate(STORED_TURN[orientation], expand=True) if STORED_TURN[orientation] else image
    month, day = date_numbers(date)
    return jpeg(stored, exif=camera_exif(orientation, f"2025:{month:02d}:{day:02d} 15:42:07"))


def scan_pdf(images: Sequence[Image.Image]) -> bytes:
    """A PDF as a scanner makes it: a JPEG per page, no text layer."""
    document = pymupdf.open()
    for image in images:
        width = 595.0
        page = document.new_page(width=width, height=width * image.height / image.width)
        page.insert_image(page.rect, stream=jpeg(image))
    return pdf_bytes(document)


def pdf_bytes(document: pymupdf.Document) -> bytes:
    document.set_metadata({})  # no creation date: the same input gives the same file
    data = document.tobytes(garbage=3, deflate=True, no_new_id=True)
    document.close()
    return data


def render_typed(pupil: Pupil, piece: Piece) -> list[Rendered]:
    """A word-processed essay: the pupil's name in the header of every page, found by the app's name search."""
    date = written_date(piece.written_on, short=False)
    document = pymupdf.open()
    pages = []
    for index, sheet in enumerate(piece.sheets):
        page = document.new_page(width=595, height=842)
        writer = pymupdf.TextWriter(page.rect)
        small, regular = pymupdf.Font("helv"), pymupdf.Font("helv")
        writer.append((56, 40), f"{pupil.name}   {piece.header}", font=small, fontsize=9)
        writer.append((470, 40), date, font=small, fontsize=9)
        top = 72
        if index == 0:
            writer.append((56, 92), piece.title, font=pymupdf.Font("hebo"), fontsize=15)
            top = 116
        try:
            writer.fill_textbox(
                pymupdf.Rect(56, top, 540, 790),
                autocorrect("\n\n".join(" ".join(paragraph.split()) for paragraph in paragraphs(sheet.text))),
                font=regular,
                fontsize=12,
                lineheight=1.6,
                warn=False,
            )
        except ValueError as error:
            raise click.ClickException(f"{pupil.code} {piece.slug} page {index + 1}: {error}") from None
        writer.append((294, 815), str(index + 1), font=small, fontsize=9)
        writer.write_text(page)
        pages.append({"annotations": [typed_note(page, note) for note in sheet.notes], "needs_redaction": True})
    document.subset_fonts()
    return [Rendered(pdf_bytes(document), pages)]


def autocorrect(text: str) -> str:
    """What a word processor does as the pupil types: spaced hyphens become dashes, quotes curl."""
    text = text.replace(" - ", " \u2013 ")
    text = re.sub(r"(^|\s)'", "\\1\u2018", text)
    return text.replace("'", "\u2019")


def typed_note(page: pymupdf.Page, note: Note) -> dict[str, object]:
    found = page.search_for(autocorrect(note.phrase))
    if not found:
        raise click.ClickException(f"typed page: {note.phrase!r} is not on the page")
    box = union([Written("", (rect.x0, rect.y0, rect.x1, rect.y1), 0) for rect in found])
    return {
        "box": fraction(pad(box, 3), (int(page.rect.width), int(page.rect.height))),
        "comment": note.comment,
        "criteria": list(note.criteria),
    }


# The manifest --------------------------------------------------------------------------------------------

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip


def date_numbers(date: str) -> tuple[int, int]:
    month, day = date.split("-")
    return int(month), int(day)


def written_date(date: str, short: bool) -> str:
    """As a pupil writes it: "14th October"; in Year 2, "14.10" on the printed label."""
    month, day = date_numbers(date)
    if short:
        return f"{day}.{month}"
    suffix = "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix} {MONTHS[month - 1]}"


def render_pupil(pupil: Pupil, folder: Path) -> dict[str, object]:
    check_codes(pupil)
    pieces = []
    for piece in pupil.pieces:
        render = render_typed if piece.finish == "typed" else render_handwritten
        outputs = render(pupil, piece)
        files = []
        for number, (output, upload_name) in enumerate(zip(outputs, piece.upload_names, strict=True), start=1):
            extension = "pdf" if piece.finish != "photo" else "jpg"
            suffix = f"-{number}" if len(outputs) > 1 else ""
            name = f"{pupil.code.lower()}-{piece.slug}{suffix}.{extension}"
            (folder / name).write_bytes(output.data)
            files.append({"file": name, "upload_as": upload_name, "pages": output.pages})
        pieces.append(
            {
                "title": piece.title,
                "purpose": piece.purpose,
                "written_on": piece.written_on,
                "independence": piece.independence,
                "files": files,
            }
        )
    return {
        "pupil_code": pupil.code,
        "school_urn": pupil.school_urn,
        "teacher": pupil.teacher,
        "year_group": pupil.year_group,
        "framework": pupil.framework,
        "judgement": pupil.judgement,
        "submitted": pupil.submitted,
        "commentary": " ".join(pupil.commentary.split()),
        "pieces": pieces,
        "evidence": [{"criterion": c.criterion, "status": c.status, "note": c.note} for c in pupil.evidence],
    }


def check_codes(pupil: Pupil) -> None:
    """Every standard and criterion named must exist in the framework, or the loader would fail later."""
    spec = yaml.safe_load((OUTPUT.parent / "frameworks" / "demo" / f"{pupil.framework}.yaml").read_text("utf-8"))
    standards = {standard["code"] for standard in spec["standards"]}
    criteria = {criterion["code"] for criterion in spec["criteria"]}
    named = {claim.criterion for claim in pupil.evidence} | {
        code for piece in pupil.pieces for sheet in piece.sheets for note in sheet.notes for code in note.criteria
    }
    if pupil.judgement not in standards or not named <= criteria:
        raise click.ClickException(f"{pupil.code}: unknown codes {sorted(named - criteria)} or {pupil.judgement}")


MANIFEST_HEADER = """\
# The demo pupils' work that `flask demo` loads (moderation_hub/demo_work/__init__.py).
# Made by scripts/make_demo_work.py with the files beside it: change the script and run it again rather than
# editing this file. Boxes are [x0, y0, x1, y1] as fractions of the upright page; written_on is MM-DD in the
# sample's academic year. Pupils are known by their codes only: their names are on the paper, under the
# redactions.
"""


def missing_fonts() -> list[Path]:
    return [path for path in (BREIP, FEMKE, DKG, DKG_ITALIC) if not path.exists()]


@click.command()
def main() -> None:
    """Render every pupil's pages and write the manifest."""
    if missing_fonts():
        raise click.ClickException(
            "Handwriting fonts are missing: sudo apt-get install -y fonts-breip fonts-femkeklaver fonts-dkg-handwriting"
        )
    folder = OUTPUT / "files"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()  # a renamed piece must not leave its old file behind
    samples = [render_pupil(pupil, folder) for pupil in PUPILS]
    manifest = yaml.safe_dump(
        {"samples": samples}, sort_keys=False, allow_unicode=True, width=110, default_flow_style=None
    )
    (OUTPUT / "manifest.yaml").write_text(MANIFEST_HEADER + manifest, encoding="utf-8")
    for path in sorted(folder.iterdir()):
        click.echo(f"{path.stat().st_size / 1024:7.0f} KB  {path.name}")
    total = sum(path.stat().st_size for path in OUTPUT.rglob("*") if path.is_file())
    click.echo(f"{total / 1024 / 1024:7.2f} MB  in {OUTPUT}")


if __name__ == "__main__":
    main()

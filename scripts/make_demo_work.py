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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class Mark:
    """The teacher's pen on the paper, at the first place ``phrase`` is written on the sheet.

    ``tick``: a tick after the phrase; ``margin``: a tick and ``text`` in the margin beside it;
    ``sp``: the word circled and "sp" in the margin; ``para``: "//" before it and "NP" in the margin;
    ``end``: ``text`` as a comment after the writing (``phrase`` unused).
    """

    kind: str
    phrase: str = ""
    text: str = ""


@dataclass(frozen=True)
class Note:
    """An annotation the teacher made in Moderation Hub: a box around ``phrase`` pointing at criteria."""

    phrase: str
    comment: str
    criteria: tuple[str, ...]


@dataclass(frozen=True)
class Sheet:
    """One page. A blank line between paragraphs; a single newline starts a new line (a letter's address).

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

PUPILS: tuple[Pupil, ...] = ()


# Drawing a page ------------------------------------------------------------------------------------------


@dataclass
class Written:
    """A word on the page and the box its ink covers."""

    text: str
    box: Box
    line: int


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

    def write_words(self, text: str, hand: Hand | None = None) -> list[Written]:
        hand = hand or self.hand
        written = []
        for token in text.split():
            crossed = token.startswith("~") and token.endswith("~")
            word = token.strip("~") if crossed else token
            width = font(hand.font, hand.size).getlength(word)
            if self.x + width > RIGHT_EDGE - self.rng.uniform(0, 30) and self.x > MARGIN_X + 80:
                self.new_line()
            box = draw_word(self.image, hand, word, self.x, self.baseline(self.x), self.rng)
            if crossed:
                cross_out(self.image, hand, box, self.rng)
            written.append(Written(word, box, self.line))
            self.x = box[2] + hand.size * self.rng.uniform(0.42, 0.6)
        return written

    def write_heading(self, title: str, date: str) -> list[Written]:
        """Name on the top line, the date at its right, the title centred and underlined below: the
        returned words are the name's."""
        name = self.write_words(self.pupil.name)
        if date:
            self.x = RIGHT_EDGE - font(self.hand.font, self.hand.size).getlength(date) - 10
            self.write_words(date)
        if title:
            self.new_line()
            self.x = (MARGIN_X + RIGHT_EDGE - font(self.hand.font, self.hand.size).getlength(title)) / 2
            words = self.write_words(title)
            underline(self.image, self.hand.ink, words, self.rng)
        self.new_line()
        return name

    def write_body(self, text: str) -> list[Written]:
        written: list[Written] = []
        for number, paragraph in enumerate(text.strip().split("\n\n")):
            if number:
                self.paragraph_break()
            for line_number, line in enumerate(paragraph.split("\n")):
                if line_number:
                    self.new_line()
                written += self.write_words(line)
        return written

    def paragraph_break(self) -> None:
        if self.hand.paragraphs == "skip":
            self.new_line()
            self.new_line()
        else:
            self.new_line(indent=46 if self.hand.paragraphs == "indent" else 0)


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


def draw_word(page: Image.Image, hand: Hand, word: str, x: float, baseline: float, rng: random.Random) -> Box:
    """Draw one word letter by letter, each a little off the baseline and off size; the word leans and turns
    a little as a whole. Returns the box of its ink on the page."""
    size = hand.size
    pad = size
    width = int(font(hand.font, size).getlength(word) * 1.15) + 2 * pad
    mask = Image.new("L", (width, size * 3), 0)
    draw = ImageDraw.Draw(mask)
    origin = int(size * 1.8)
    pen_x = float(pad)
    for char in word:
        letter = font(hand.font, size + rng.choice((-1, 0, 0, 1)))
        pen_y = origin + rng.uniform(-hand.bounce, hand.bounce)
        draw.text((pen_x, pen_y), char, font=letter, anchor="ls", fill=255, stroke_width=hand.weight, stroke_fill=255)
        pen_x += letter.getlength(char) * rng.uniform(0.96, 1.05)
    if hand.slant:
        shear = (1, hand.slant, -hand.slant * origin, 0, 1, 0)
        mask = mask.transform(mask.size, Image.Transform.AFFINE, shear, Image.Resampling.BICUBIC)
    mask = mask.rotate(rng.uniform(-hand.wobble, hand.wobble), Image.Resampling.BICUBIC, center=(pad, origin))
    mask = ink_texture(mask, hand, rng)
    left, top = round(x - pad), round(baseline - origin)
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


def find_phrase(words: Sequence[Written], phrase: str, where: str) -> list[Written]:
    wanted = [comparable(token) for token in phrase.split() if comparable(token)]
    keys = [comparable(word.text) for word in words]
    for start in range(len(words) - len(wanted) + 1):
        if keys[start : start + len(wanted)] == wanted:
            return list(words[start : start + len(wanted)])
    raise click.ClickException(f"{where}: {phrase!r} is not written on the sheet")


def mark_sheet(writer: PageWriter, sheet: Sheet, body: list[Written], where: str) -> None:
    for mark in sheet.marks:
        if mark.kind == "end":
            end_comment(writer, mark.text)
            continue
        words = find_phrase(body, mark.phrase, where)
        if mark.kind == "tick":
            tick(writer.image, words[-1].box[2] + 6, words[-1].box[1] - 16, 24, writer.rng)
        elif mark.kind == "margin":
            tick(writer.image, words[-1].box[2] + 6, words[-1].box[1] - 16, 22, writer.rng)
            margin_note(writer, words[0], mark.text, TEACHER_GREEN)
        elif mark.kind == "sp":
            circle(writer.image, words[0].box, writer.rng)
            margin_note(writer, words[0], "sp", TEACHER_RED)
        elif mark.kind == "para":
            ImageDraw.Draw(writer.image).text(
                (words[0].box[0] - 22, words[0].box[3]), "//", font=font(DKG, 30), fill=TEACHER_RED, anchor="ls"
            )
            margin_note(writer, words[0], "NP", TEACHER_RED)
        else:
            raise click.ClickException(f"{where}: unknown mark {mark.kind!r}")


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
    hand = Hand(DKG_ITALIC, 19, colour, wobble=2.0, bounce=0.8, drift=0.0)
    lines = wrap(text, hand, MARGIN_X - 16)
    y = max(beside.box[1] + 16, writer.margin_bottom + 20)
    for line in lines:
        x = 8.0
        for word in line.split():
            box = draw_word(writer.image, hand, word, x, y, writer.rng)
            x = box[2] + 6
        y += 20
    writer.margin_bottom = y - 20


def end_comment(writer: PageWriter, text: str) -> None:
    """The teacher's comment under the work, on the lines, in the teacher's hand."""
    writer.new_line()
    writer.new_line()
    writer.write_words(text, TEACHER_HAND)


def wrap(text: str, hand: Hand, width: float) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and font(hand.font, hand.size).getlength(candidate) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


def draw_sheet(pupil: Pupil, piece: Piece, index: int, date: str) -> tuple[DrawnPage, PageWriter]:
    rng = random.Random(f"{pupil.seed}-{piece.slug}-{index}")
    writer = PageWriter(pupil, rng)
    if piece.sticker and index == 0:
        stick_label(writer.image, f"{date}    {piece.sticker}", rng)
    first = index == 0
    name = writer.write_heading(piece.title if first else "", date if first and not piece.sticker else "")
    sheet = piece.sheets[index]
    body = writer.write_body(sheet.text)
    mark_sheet(writer, sheet, body, f"{pupil.code} {piece.slug} sheet {index + 1}")
    holes = [(30.0, y - 13, 56.0, y + 13) for y in (PAGE_SIZE[1] * 0.3, PAGE_SIZE[1] * 0.7)] if pupil.holes else []
    return DrawnPage(writer.image, name, body, holes), writer


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

Point = tuple[float, float]
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
    scan = scan.point(lambda value: min(255, round(value * 1.05 + 4)))
    return scan, homography(PAGE_CORNERS, corners)


def photographed(page: DrawnPage, rng: random.Random) -> tuple[Image.Image, Matrix]:
    """A phone photo: the sheet on a table seen from a little off-square, with its shadow and uneven light."""
    width, height = PHOTO_SIZE
    # Held above the top of the sheet and tilted: the far (top) edge comes out narrower than the near one.
    square = [(95, 80), (width - 110, 105), (width - 55, height - 70), (60, height - 95)]
    corners = [(x + rng.uniform(-28, 28), y + rng.uniform(-22, 22)) for x, y in square]
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
    gradient = Image.linear_gradient("L").rotate(rng.choice((45, 135, 90)) + rng.uniform(-15, 15))
    gradient = gradient.resize(PHOTO_SIZE, Image.Resampling.BICUBIC).point(lambda value: 196 + value // 5)
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
    corners = [project(matrix, point) for point in ((box[0], box[1]), (box[2], box[1]), (box[2], box[3]), (box[0], box[3]))]
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


def render_handwritten(pupil: Pupil, piece: Piece, date: str) -> list[Rendered]:
    """The piece's files: a PDF of all its scanned sheets, or one photo per sheet."""
    pages = []
    for index, sheet in enumerate(piece.sheets):
        drawn, writer = draw_sheet(pupil, piece, index, date)
        where = f"{pupil.code} {piece.slug} sheet {index + 1}"
        finish = scanned if piece.finish == "scan" else photographed
        image, matrix = finish(drawn, writer.rng)
        pages.append((image, boxes_on(drawn, sheet, matrix, image.size, where)))
    if piece.finish == "scan":
        return [Rendered(scan_pdf([image for image, _boxes in pages]), [boxes for _image, boxes in pages])]
    return [
        Rendered(photo_file(image, orientation, date), [boxes])
        for (image, boxes), orientation in zip(pages, piece.orientations, strict=True)
    ]


def photo_file(image: Image.Image, orientation: int, date: str) -> bytes:
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


def render_typed(pupil: Pupil, piece: Piece, date: str) -> list[Rendered]:
    """A word-processed essay: the pupil's name in the header of every page, found by the app's name search."""
    document = pymupdf.open()
    pages = []
    for index, sheet in enumerate(piece.sheets):
        page = document.new_page(width=595, height=842)
        header = f"{pupil.name}   9M3   English"
        page.insert_text((56, 40), header, fontname="helv", fontsize=9, color=(0.35, 0.35, 0.35))
        page.insert_text((470, 40), date, fontname="helv", fontsize=9, color=(0.35, 0.35, 0.35))
        top = 72
        if index == 0:
            page.insert_text((56, 86), piece.title, fontname="hebo", fontsize=15)
            top = 108
        left_over = page.insert_textbox(
            pymupdf.Rect(56, top, 540, 800), sheet.text.strip(), fontname="helv", fontsize=11.5, lineheight=1.45
        )
        if left_over < 0:
            raise click.ClickException(f"{pupil.code} {piece.slug}: page {index + 1} overflows by {-left_over:.0f} pt")
        page.insert_text((290, 815), str(index + 1), fontname="helv", fontsize=9)
        pages.append({"annotations": [typed_note(page, note) for note in sheet.notes], "needs_redaction": True})
    return [Rendered(pdf_bytes(document), pages)]


def typed_note(page: pymupdf.Page, note: Note) -> dict[str, object]:
    found = page.search_for(note.phrase)
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
        outputs = render(pupil, piece, written_date(piece.written_on, short=bool(piece.sticker)))
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
    manifest = yaml.safe_dump({"samples": samples}, sort_keys=False, allow_unicode=True, width=110)
    (OUTPUT / "manifest.yaml").write_text(MANIFEST_HEADER + manifest, encoding="utf-8")
    for path in sorted(folder.iterdir()):
        click.echo(f"{path.stat().st_size / 1024:7.0f} KB  {path.name}")
    total = sum(path.stat().st_size for path in OUTPUT.rglob("*") if path.is_file())
    click.echo(f"{total / 1024 / 1024:7.2f} MB  in {OUTPUT}")


if __name__ == "__main__":
    main()

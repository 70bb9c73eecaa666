"""The vocabulary of English schooling that every capability shares: key stages, phases, year groups."""

import enum

import sqlalchemy as sa


class KeyStage(enum.StrEnum):
    EYFS = "EYFS"
    KS1 = "KS1"
    KS2 = "KS2"
    KS3 = "KS3"
    KS4 = "KS4"
    KS5 = "KS5"

    @property
    def label(self) -> str:
        return "Early years foundation stage" if self is KeyStage.EYFS else f"Key stage {self.value[-1]}"

    @property
    def year_groups(self) -> tuple[int, ...]:
        return KEY_STAGE_YEARS[self]


# Reception is year 0; post-16 is years 12 and 13.
KEY_STAGE_YEARS: dict[KeyStage, tuple[int, ...]] = {
    KeyStage.EYFS: (0,),
    KeyStage.KS1: (1, 2),
    KeyStage.KS2: (3, 4, 5, 6),
    KeyStage.KS3: (7, 8, 9),
    KeyStage.KS4: (10, 11),
    KeyStage.KS5: (12, 13),
}

YEAR_GROUPS: tuple[int, ...] = tuple(range(14))


def year_group_label(year: int) -> str:
    return "Reception" if year == 0 else f"Year {year}"


class Phase(enum.StrEnum):
    """Phase of education, as a framework targets it."""

    EARLY_YEARS = "early_years"
    PRIMARY = "primary"
    SECONDARY = "secondary"
    POST_16 = "post_16"

    @property
    def label(self) -> str:
        return {"early_years": "Early years", "post_16": "Post-16"}.get(self.value, self.value.capitalize())


class SchoolPhase(enum.StrEnum):
    """Phase of a school, as Get Information About Schools records it."""

    NURSERY = "nursery"
    PRIMARY = "primary"
    MIDDLE_DEEMED_PRIMARY = "middle_deemed_primary"
    MIDDLE_DEEMED_SECONDARY = "middle_deemed_secondary"
    SECONDARY = "secondary"
    SIXTEEN_PLUS = "sixteen_plus"
    ALL_THROUGH = "all_through"
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize().replace("Sixteen plus", "16 plus")


class SchoolType(enum.StrEnum):
    INFANT = "infant"
    JUNIOR = "junior"
    PRIMARY = "primary"
    MIDDLE = "middle"
    SECONDARY = "secondary"
    ALL_THROUGH = "all_through"
    SPECIAL = "special"

    @property
    def label(self) -> str:
        return self.value.replace("_", "-").capitalize()


def enum_column(enum_class: type[enum.Enum]) -> sa.Enum:
    """Store an enum as its value in a checked VARCHAR, the same on SQLite and PostgreSQL."""
    return sa.Enum(
        enum_class,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
        name=enum_class.__name__.lower(),
    )

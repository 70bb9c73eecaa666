"""Framework files: read a YAML document into a validated ``FrameworkSpec``, and write one back.

A framework file describes one version of one framework::

    slug: ks2-writing-ta        # lower-case letters, digits and hyphens; the same for every version
    version: 1                  # a whole number from 1; a changed framework is imported as a new version
    title: Key stage 2 writing teacher assessment
    subject: Writing
    phase: primary              # early_years, primary, secondary or post_16
    key_stage: KS2              # optional: EYFS, KS1, KS2, KS3, KS4 or KS5
    year_groups: [6]            # 0 (Reception) to 13; within the key stage when there is one
    description: ...            # optional
    standards:                  # the outcome scale, lowest first; at least one
      - code: WTS
        label: Working towards the expected standard
        description: ...        # optional
    groups:                     # optional, e.g. APP assessment focuses
      - code: AF5
        title: Varied sentences for clarity, purpose and effect
    criteria:                   # optional
      - code: EXS.1
        standard: EXS           # the code of one of the standards
        group: AF5              # optional: the code of one of the groups
        statement: The pupil can ...

Fields may come in any order; text is stripped of surrounding white space. Every problem found is
reported at once, each naming its line and the path of its field, counting list items from 0:
``line 14: standards[2].code: must be text, not a number (put it in quotes: "3")``.
"""

import difflib
import enum
import re
from collections.abc import Callable
from dataclasses import asdict
from typing import Any, Protocol, TypeVar

import yaml
from yaml.composer import ComposerError
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError

from moderation_hub.education import KEY_STAGE_YEARS, YEAR_GROUPS, KeyStage, Phase
from moderation_hub.frameworks.spec import CriterionSpec, FrameworkSpec, GroupSpec, StandardSpec
from moderation_hub.text_rules import TextKind, normalise_line_ends, text_problem

SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# "import" would be shadowed by the import page at /frameworks/import.
RESERVED_SLUGS = frozenset({"import"})
# Well inside a database integer, so that an absurd version is a clear error rather than an overflow.
MAX_VERSION = 9999
SLUG_LENGTH, CODE_LENGTH, SUBJECT_LENGTH, TITLE_LENGTH = 80, 32, 80, 200

_TAG = "tag:yaml.org,2002:"
_KINDS = {
    f"{_TAG}int": "a number",
    f"{_TAG}float": "a number",
    f"{_TAG}bool": "true or false",
    f"{_TAG}timestamp": "a date",
}


class _Coded(Protocol):
    @property
    def code(self) -> str: ...


_Choice = TypeVar("_Choice", bound=enum.StrEnum)
_Item = TypeVar("_Item", bound=_Coded)


class FrameworkFormatError(ValueError):
    """A framework file that cannot be imported; ``messages`` lists every problem found."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


class _Loader(yaml.SafeLoader):
    """Refuses aliases: nested aliases (a "billion laughs") would make the walk below take forever."""

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise ComposerError(None, None, f"aliases (*{event.anchor}) are not allowed", event.start_mark)
        return super().compose_node(parent, index)


def parse_framework(source: str | bytes) -> FrameworkSpec:
    """Read a framework file; raise ``FrameworkFormatError`` listing every problem."""
    root = _compose(source)
    reader = _Reader()
    spec = reader.framework(root)
    if spec is None:
        raise FrameworkFormatError(reader.messages())
    return spec


def _compose(source: str | bytes) -> Node:
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise FrameworkFormatError(["the file is not UTF-8 text: save it as UTF-8 and try again"]) from None
    try:
        root = yaml.compose(source, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        raise FrameworkFormatError([_syntax_message(error)]) from None
    except ReaderError as error:
        line = source.count("\n", 0, error.position) + 1
        raise FrameworkFormatError([f"line {line}: not valid YAML: {error.reason} (#x{error.character:04x})"]) from None
    if root is None:
        raise FrameworkFormatError(["line 1: the file is empty"])
    return root


def _syntax_message(error: yaml.MarkedYAMLError) -> str:
    mark = error.problem_mark or error.context_mark
    line = f"line {mark.line + 1}: " if mark else ""
    context = f" ({error.context})" if error.context and error.problem else ""
    return f"{line}not valid YAML: {error.problem or error.context}{context}"


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class _Reader:
    """Walks the node tree, converting what is valid and recording a message for everything that is not."""

    def __init__(self) -> None:
        self._problems: list[tuple[int, str]] = []

    def messages(self) -> list[str]:
        return [message for _line, message in sorted(self._problems, key=lambda problem: problem[0])]

    def fail(self, node: Node, path: str, message: str) -> None:
        line = node.start_mark.line + 1
        self._problems.append((line, f"line {line}: {path or 'the file'}: {message}"))

    # The document and its parts ------------------------------------------------------------------

    def framework(self, root: Node) -> FrameworkSpec | None:
        required = ("slug", "version", "title", "subject", "phase", "year_groups", "standards")
        fields = self.mapping(root, "", required, optional=("key_stage", "description", "groups", "criteria"))
        if fields is None:
            return None
        key_stage = self.choice(fields, "key_stage", KeyStage, required=False)
        standards = self.items(fields, "standards", self.standard, empty="needs at least one standard")
        groups = self.items(fields, "groups", self.group)
        spec_fields = {
            "slug": self.slug(fields),
            "version": self.version(fields),
            "title": self.text(fields, "title", "", max_length=TITLE_LENGTH),
            "subject": self.text(fields, "subject", "", max_length=SUBJECT_LENGTH),
            "phase": self.choice(fields, "phase", Phase),
            "key_stage": key_stage,
            "year_groups": self.year_groups(fields, key_stage),
            "description": self.text(fields, "description", "", required=False, kind=TextKind.PROSE),
            "standards": self.unique_codes("standards", standards),
            "groups": self.unique_codes("groups", groups),
            "criteria": self.criteria(fields, standards, groups),
        }
        if self._problems:
            return None
        return FrameworkSpec(**spec_fields)

    def standard(self, node: Node, path: str) -> StandardSpec | None:
        fields = self.mapping(node, path, ("code", "label"), optional=("description",))
        if fields is None:
            return None
        code = self.text(fields, "code", path, max_length=CODE_LENGTH)
        label = self.text(fields, "label", path, max_length=TITLE_LENGTH)
        description = self.text(fields, "description", path, required=False, kind=TextKind.PROSE)
        if code is None or label is None or description is None:
            return None
        return StandardSpec(code=code, label=label, description=description)

    def group(self, node: Node, path: str) -> GroupSpec | None:
        fields = self.mapping(node, path, ("code", "title"))
        if fields is None:
            return None
        code = self.text(fields, "code", path, max_length=CODE_LENGTH)
        title = self.text(fields, "title", path, max_length=TITLE_LENGTH)
        if code is None or title is None:
            return None
        return GroupSpec(code=code, title=title)

    def criteria(
        self,
        fields: dict[str, Node],
        standards: list[tuple[Node, StandardSpec | None]],
        groups: list[tuple[Node, GroupSpec | None]],
    ) -> tuple[CriterionSpec, ...]:
        standard_codes, group_codes = _codes_if_all_read(standards), _codes_if_all_read(groups)

        def criterion(node: Node, path: str) -> CriterionSpec | None:
            return self.criterion(node, path, standard_codes, group_codes)

        return self.unique_codes("criteria", self.items(fields, "criteria", criterion))

    def criterion(
        self, node: Node, path: str, standard_codes: list[str] | None, group_codes: list[str] | None
    ) -> CriterionSpec | None:
        fields = self.mapping(node, path, ("code", "standard", "statement"), optional=("group",))
        if fields is None:
            return None
        code = self.text(fields, "code", path, max_length=CODE_LENGTH)
        standard = self.reference(fields, "standard", path, standard_codes, required=True)
        group = self.reference(fields, "group", path, group_codes, required=False)
        statement = self.text(fields, "statement", path, kind=TextKind.PROSE)
        if code is None or standard is None or statement is None:
            return None
        return CriterionSpec(code=code, standard=standard, group=group, statement=statement)

    def reference(
        self, fields: dict[str, Node], key: str, path: str, codes: list[str] | None, *, required: bool
    ) -> str | None:
        """A code that must name a standard or group; ``codes`` is None when some could not be read, and then
        references are not checked, so that one bad standard does not also fail every criterion pointing at it."""
        code = self.text(fields, key, path, required=required, max_length=CODE_LENGTH)
        if not code or codes is None or code in codes:
            return code or None
        listed = f"the codes are {', '.join(codes)}" if codes else f"the file lists no {key}s"
        self.fail(fields[key], _join(path, key), f"no {key} has the code {code!r} ({listed})")
        return None

    # Top-level fields with their own rules -------------------------------------------------------

    def slug(self, fields: dict[str, Node]) -> str | None:
        slug = self.text(fields, "slug", "", max_length=SLUG_LENGTH)
        if slug is None:
            return None
        if not SLUG_PATTERN.fullmatch(slug):
            self.fail(fields["slug"], "slug", "must be lower-case letters, digits and hyphens, e.g. ks2-writing")
            return None
        if slug in RESERVED_SLUGS:
            self.fail(fields["slug"], "slug", f"{slug!r} is reserved; choose another slug")
            return None
        return slug

    def version(self, fields: dict[str, Node]) -> int | None:
        node = fields.get("version")
        if node is None:
            return None
        if not (isinstance(node, ScalarNode) and node.tag == f"{_TAG}int"):
            quoted = node.tag == f"{_TAG}str" and node.value.strip().isdigit()
            hint = " (remove the quotes)" if quoted else ""
            self.fail(node, "version", f"must be a whole number, not {_kind(node)}{hint}")
            return None
        version = SafeConstructor().construct_yaml_int(node)
        if not 1 <= version <= MAX_VERSION:
            self.fail(node, "version", f"must be a whole number from 1 to {MAX_VERSION}")
            return None
        return version

    def year_groups(self, fields: dict[str, Node], key_stage: KeyStage | None) -> tuple[int, ...] | None:
        nodes = self.sequence(fields, "year_groups", empty="needs at least one year group")
        if nodes is None:
            return None
        years: set[int] = set()
        for index, node in enumerate(nodes):
            year = self.year(node, f"year_groups[{index}]", key_stage)
            if year is not None and year in years:
                self.fail(node, f"year_groups[{index}]", f"year {year} is listed twice")
            elif year is not None:
                years.add(year)
        return tuple(sorted(years))

    def year(self, node: Node, path: str, key_stage: KeyStage | None) -> int | None:
        if not (isinstance(node, ScalarNode) and node.tag == f"{_TAG}int"):
            self.fail(node, path, f"must be a year group number, not {_kind(node)}")
            return None
        year = SafeConstructor().construct_yaml_int(node)
        if year not in YEAR_GROUPS:
            self.fail(node, path, f"must be a year group from 0 (Reception) to 13, not {year}")
            return None
        if key_stage is not None and year not in KEY_STAGE_YEARS[key_stage]:
            allowed = ", ".join(map(str, KEY_STAGE_YEARS[key_stage]))
            self.fail(node, path, f"year {year} is not in {key_stage.value} (years {allowed})")
            return None
        return year

    # Generic readers -----------------------------------------------------------------------------

    def mapping(
        self, node: Node, path: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> dict[str, Node] | None:
        """The fields of a mapping, leaving out empty (null) optional ones; reports unknown, repeated and
        missing fields. Returns None when the node is not a mapping at all."""
        if not isinstance(node, MappingNode):
            self.fail(node, path, f"must be a set of fields (name: value), not {_kind(node)}")
            return None
        known = required + optional
        seen: set[str] = set()
        fields: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if not (isinstance(key_node, ScalarNode) and key_node.tag == f"{_TAG}str"):
                self.fail(key_node, path, f"field names must be text, not {_kind(key_node)}")
                continue
            key, where = key_node.value, _join(path, key_node.value)
            if key in seen:
                self.fail(key_node, where, "appears twice")
            elif key not in known:
                self.fail(key_node, where, _unknown_field_message(key, known))
            elif value_node.tag == f"{_TAG}null" and key in required:
                self.fail(key_node, where, "must not be empty")
            elif value_node.tag != f"{_TAG}null":
                fields[key] = value_node
            seen.add(key)
        for key in required:
            if key not in seen:
                self.fail(node, _join(path, key), "is required")
        return fields

    def text(
        self,
        fields: dict[str, Node],
        key: str,
        path: str,
        *,
        required: bool = True,
        max_length: int | None = None,
        kind: TextKind = TextKind.LINE,
    ) -> str | None:
        """The stripped text of a field; "" for an absent optional field, None when it is missing or invalid.

        YAML's reader refuses control characters written as themselves, but a quoted string's escapes
        ("\\0", "\\u202e") still make them, so the text is checked as a form's would be."""
        node, where = fields.get(key), _join(path, key)
        if node is None:
            return None if required else ""
        if not (isinstance(node, ScalarNode) and node.tag == f"{_TAG}str"):
            hint = f' (put it in quotes: "{node.value}")' if isinstance(node, ScalarNode) else ""
            self.fail(node, where, f"must be text, not {_kind(node)}{hint}")
            return None
        value = node.value.strip()
        if required and not value:
            self.fail(node, where, "must not be empty")
            return None
        if max_length is not None and len(value) > max_length:
            self.fail(node, where, f"must be at most {max_length} characters (it has {len(value)})")
            return None
        if problem := text_problem(value, kind):
            self.fail(node, where, problem)
            return None
        return normalise_line_ends(value)

    def choice(
        self, fields: dict[str, Node], key: str, choices: type[_Choice], *, required: bool = True
    ) -> _Choice | None:
        value = self.text(fields, key, "", required=required)
        if not value:
            return None
        try:
            return choices(value)
        except ValueError:
            allowed = ", ".join(choice.value for choice in choices)
            self.fail(fields[key], key, f"must be one of {allowed}, not {value!r}")
            return None

    def sequence(self, fields: dict[str, Node], key: str, *, empty: str | None = None) -> list[Node] | None:
        node = fields.get(key)
        if node is None:
            return None
        if not isinstance(node, SequenceNode):
            self.fail(node, key, f'must be a list (one "- " item per line, or [a, b]), not {_kind(node)}')
            return None
        if empty and not node.value:
            self.fail(node, key, empty)
            return None
        return node.value

    def items(
        self,
        fields: dict[str, Node],
        key: str,
        read: Callable[[Node, str], _Item | None],
        *,
        empty: str | None = None,
    ) -> list[tuple[Node, _Item | None]]:
        """Each item of a list field read by ``read(node, path)``, paired with its node for later checks."""
        nodes = self.sequence(fields, key, empty=empty) or []
        return [(node, read(node, f"{key}[{index}]")) for index, node in enumerate(nodes)]

    def unique_codes(self, key: str, items: list[tuple[Node, _Item | None]]) -> tuple[_Item, ...]:
        """The items that were read, after reporting any code used twice in the list."""
        first_use: dict[str, int] = {}
        for index, (node, item) in enumerate(items):
            if item is None:
                continue
            if item.code in first_use:
                self.fail(
                    node, f"{key}[{index}].code", f"{item.code!r} is already used by {key}[{first_use[item.code]}]"
                )
            else:
                first_use[item.code] = index
        return tuple(item for _node, item in items if item is not None)


def _codes_if_all_read(
    items: list[tuple[Node, StandardSpec | None]] | list[tuple[Node, GroupSpec | None]],
) -> list[str] | None:
    codes = [item.code for _node, item in items if item is not None]
    return codes if len(codes) == len(items) else None


def _kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a set of fields"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == f"{_TAG}null":
        return "empty"
    return _KINDS.get(node.tag, "text" if node.tag == f"{_TAG}str" else f"a value of type {node.tag}")


def _unknown_field_message(key: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    suggestion = f"did you mean {close[0]!r}? " if close else ""
    return f"unknown field; {suggestion}the fields here are {', '.join(known)}"


# Writing -------------------------------------------------------------------------------------------


def dump_framework(spec: FrameworkSpec) -> str:
    """The framework file for ``spec``: ``parse_framework`` reads it back to an equal spec."""
    document: dict[str, Any] = {
        "slug": spec.slug,
        "version": spec.version,
        "title": spec.title,
        "subject": spec.subject,
        "phase": spec.phase.value,
    }
    if spec.key_stage is not None:
        document["key_stage"] = spec.key_stage.value
    document["year_groups"] = _FlowList(spec.year_groups)
    if spec.description:
        document["description"] = spec.description
    document["standards"] = [_without_empty(asdict(standard)) for standard in spec.standards]
    if spec.groups:
        document["groups"] = [asdict(group) for group in spec.groups]
    if spec.criteria:
        document["criteria"] = [_criterion_document(criterion) for criterion in spec.criteria]
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def _criterion_document(criterion: CriterionSpec) -> dict[str, str]:
    document = {"code": criterion.code, "standard": criterion.standard}
    if criterion.group is not None:
        document["group"] = criterion.group
    document["statement"] = criterion.statement
    return document


def _without_empty(fields: dict[str, str]) -> dict[str, str]:
    return {key: value for key, value in fields.items() if value}


class _FlowList(list[int]):
    """A short list written on one line, as in ``year_groups: [5, 6]``."""


class _Dumper(yaml.SafeDumper):
    """Writes multi-line text as a literal block, so that an exported file reads like a hand-written one."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    return dumper.represent_scalar(f"{_TAG}str", text, style="|" if "\n" in text else None)


def _represent_flow_list(dumper: yaml.SafeDumper, items: _FlowList) -> yaml.SequenceNode:
    return dumper.represent_sequence(f"{_TAG}seq", items, flow_style=True)


_Dumper.add_representer(str, _represent_text)
_Dumper.add_representer(_FlowList, _represent_flow_list)

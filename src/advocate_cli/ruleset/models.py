"""Pydantic models of the rule files: questions, methods, scoring rules, warnings and countries."""

from __future__ import annotations

import datetime as dt
import functools
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator, model_validator

Id = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9][a-z0-9_-]*$",
        max_length=80,
        description="A stable id: lower-case letters, digits, '-' and '_'.",
    ),
]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
Condition = Annotated[
    dict[str, Any],
    Field(description="A `when` condition: profile keys with a value or {operator: value}; all / any / not."),
]

ATTRIBUTES = (
    "reach",
    "cost",
    "interactivity",
    "detail",
    "accessibility",
    "trust",
    "risk",
    "time_to_effect",
    "control",
)
Attribute = Literal[
    "reach", "cost", "interactivity", "detail", "accessibility", "trust", "risk", "time_to_effect", "control"
]
Level = Annotated[int, Field(ge=0, le=3)]
Points = Annotated[int, Field(ge=-100, le=100)]

TOPICS = (
    "backlash",
    "exclusion",
    "data_protection",
    "minors",
    "system_actors",
    "regulation",
    "platform_dependence",
    "security",
    "misinformation",
    "enabling_environment",
    "balance",
)


class Channel(str, Enum):
    virtual = "virtual"
    analog = "analog"


class Topic(str, Enum):
    backlash = "backlash"
    exclusion = "exclusion"
    data_protection = "data_protection"
    minors = "minors"
    system_actors = "system_actors"
    regulation = "regulation"
    platform_dependence = "platform_dependence"
    security = "security"
    misinformation = "misinformation"
    enabling_environment = "enabling_environment"
    balance = "balance"


class Severity(str, Enum):
    low = "low"
    medium = "medium"
    high = "high"


SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Choice(Strict):
    """One answer a choice or multi question accepts."""

    id: Id
    label: Text = Field(description="What the wizard shows for this choice.")


class QuestionType(str, Enum):
    text = "text"
    choice = "choice"
    multi = "multi"
    bool = "bool"
    country = "country"


class Question(Strict):
    """A profile key: what the wizard asks and what a profile file answers."""

    id: Id = Field(description="The profile key.")
    prompt: Text = Field(description="The question as the wizard asks it.")
    help: Text | None = Field(None, description="Shown when the user types '?'.")
    type: QuestionType
    choices: list[Choice] = Field(default_factory=list, description="For choice and multi questions.")
    default: Any = Field(None, description="The wizard's suggested answer; the answer when required is false.")
    required: bool = True
    when: Condition | None = Field(None, description="Asked (and required) only when this holds.")
    disabled: bool = Field(False, description="true removes an item of this id defined by an earlier layer.")

    @model_validator(mode="after")
    def _choices_fit_type(self) -> Question:
        if self.disabled:
            return self
        has_choices = self.type in (QuestionType.choice, QuestionType.multi)
        if has_choices and not self.choices:
            raise ValueError(f"a {self.type.value} question needs choices")
        if not has_choices and self.choices:
            raise ValueError(f"a {self.type.value} question takes no choices")
        ids = [c.id for c in self.choices]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate choice ids: {', '.join(dupes)}")
        return self

    @property
    def choice_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.choices)


class Attributes(Strict):
    """Practitioners' criteria, each 0 (none or low) to 3 (high)."""

    reach: Level = Field(0, description="How many people it reaches.")
    cost: Level = Field(0, description="Money and staff time.")
    interactivity: Level = Field(0, description="Two-way conversation.")
    detail: Level = Field(0, description="Capacity for a complex argument.")
    accessibility: Level = Field(0, description="Needs no device, connectivity or literacy.")
    trust: Level = Field(0, description="Trust in the channel.")
    risk: Level = Field(0, description="Exposure to backlash, data or security risk.")
    time_to_effect: Level = Field(0, description="0 fast to 3 slow.")
    control: Level = Field(0, description="Owned (3) to earned (0).")


class Method(Strict):
    """A way of reaching the audience, virtual or analog."""

    id: Id
    label: Text
    channel: Channel
    description: Text | None = None
    good_for: list[Id] = Field(default_factory=list, description="Goal ids this method serves well.")
    base: Annotated[int, Field(ge=0, le=100)] = Field(40, description="Starting score before rules.")
    attributes: Attributes = Field(default_factory=Attributes)
    disabled: bool = False

    @field_validator("id")
    @classmethod
    def _not_a_channel(cls, value: str) -> str:
        if value in ("virtual", "analog"):
            raise ValueError("'virtual' and 'analog' name whole channels in effects; choose another method id")
        return value


class Rule(Strict):
    """A scoring rule: when its condition holds, it moves method scores."""

    id: Id
    summary: Text = Field(description="One line: what the rule does.")
    why: Text = Field(description="One or two sentences a trainer would say.")
    source: Text = Field(description="A toolkit, a statistic, or a practice.")
    facts: list[Id] = Field(default_factory=list, description="Country fact ids the rule relies on.")
    when: Condition | None = None
    effects: dict[str, Points] = Field(
        default_factory=dict, description="Points per method id, or for a whole channel ('virtual', 'analog')."
    )
    by_attribute: dict[Attribute, Points] = Field(
        default_factory=dict, description="Points per level of a method attribute, for every method."
    )
    disabled: bool = False

    @model_validator(mode="after")
    def _has_effect(self) -> Rule:
        if not self.disabled and not self.effects and not self.by_attribute:
            raise ValueError("a rule needs effects, by_attribute or both")
        return self


class WarningRule(Strict):
    """A risk that fires on a condition, with a mitigation."""

    id: Id
    topic: Topic
    severity: Severity
    message: Text
    mitigation: Text
    source: Text
    facts: list[Id] = Field(default_factory=list)
    when: Condition | None = None
    disabled: bool = False


class Fact(Strict):
    """A country figure or legal fact, always with its source and review date."""

    id: Id
    text: Text
    source: Text
    as_of: dt.date = Field(description="The date the fact describes.")
    review_by: dt.date = Field(description="Check the fact again by this date.")
    verified: bool = Field(description="false: it could not be confirmed; plans show it as unverified.")


class Country(Strict):
    """Facts about one country, by ISO 3166-1 alpha-2 code."""

    code: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    name: Text
    aliases: list[Text] = Field(default_factory=list, description="Other names the wizard recognises.")
    facts: list[Fact] = Field(default_factory=list)
    disabled: bool = False


class RuleFile(Strict):
    """One YAML file of a rule directory."""

    questions: list[Question] = Field(default_factory=list)
    methods: list[Method] = Field(default_factory=list)
    rules: list[Rule] = Field(default_factory=list)
    warnings: list[WarningRule] = Field(default_factory=list)
    countries: list[Country] = Field(default_factory=list)


KINDS = ("questions", "methods", "rules", "warnings", "countries")
ITEM_CLASSES: dict[str, type[Strict]] = {
    "questions": Question,
    "methods": Method,
    "rules": Rule,
    "warnings": WarningRule,
    "countries": Country,
}


@functools.cache
def disabling_class(kind: str) -> type[Strict]:
    """The class that reads an item with `disabled: true`: only its id (a country's code) is required; the
    other fields may still be given and must still fit, and unknown keys are still refused. Made on first
    use, so that start-up does not pay for it."""
    cls = ITEM_CLASSES[kind]
    optional: dict[str, Any] = {  # the same type and constraints; only the default (not validated) is new
        name: (Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation,
               Field(None, description=info.description))
        for name, info in cls.model_fields.items()
        if info.is_required() and name not in ("id", "code")
    }
    return create_model(f"Disabled{cls.__name__}", __base__=cls, __doc__=cls.__doc__, **optional)

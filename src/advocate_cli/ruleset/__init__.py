"""Rule-file models, loading and layering of rule directories."""

from advocate_cli.ruleset.loader import default_rules_dir, load_ruleset
from advocate_cli.ruleset.ruleset import RuleSet

__all__ = ["RuleSet", "default_rules_dir", "load_ruleset"]

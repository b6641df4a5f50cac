"""Token prices: what a stage's usage cost, when the provider reports it or a price table says.

A price table maps model names to USD per million prompt and completion tokens; it comes from
``DEVUSSY_PRICES`` (``model=input/output`` pairs, e.g. ``gpt-4o-mini=0.15/0.6,gpt-4o=2.5/10``) or the
``[devussy.prices]`` table of ``devussy.toml``. Devussy ships no prices of its own: they change, and
a wrong figure is worse than none.
"""

from __future__ import annotations

from dataclasses import dataclass

from devussy.errors import ConfigError
from devussy.models import Usage


@dataclass(frozen=True)
class Price:
    """USD per million tokens."""

    prompt: float
    completion: float

    def cost(self, usage: Usage) -> float:
        return (usage.prompt_tokens * self.prompt + usage.completion_tokens * self.completion) / 1_000_000


def with_cost(usage: Usage, price: Price | None) -> Usage:
    """``usage`` with its cost: the provider's own figure wins; else the price table's, if any."""
    if usage.cost is not None or price is None:
        return usage
    return usage.model_copy(update={"cost": round(price.cost(usage), 6)})


def parse_prices(text: str, where: str = "DEVUSSY_PRICES") -> dict[str, Price]:
    """``"model=0.15/0.6, other=2.5/10"`` → prices by model (USD per million prompt/completion tokens)."""
    prices: dict[str, Price] = {}
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        model, sep, figures = entry.rpartition("=")
        prompt, slash, completion = figures.partition("/")
        try:
            if not sep or not slash or not model.strip():
                raise ValueError
            price = Price(float(prompt), float(completion))
        except ValueError:
            raise ConfigError(
                f"{where}: {entry!r} is not 'model=<input>/<output>' (USD per million tokens)"
            ) from None
        if price.prompt < 0 or price.completion < 0:
            raise ConfigError(f"{where}: prices cannot be negative ({entry!r})")
        prices[model.strip()] = price
    return prices

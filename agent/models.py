"""Which model answers: Anthropic when configured, the offline model otherwise."""

from __future__ import annotations

from pydantic_ai.models import Model

from agent.offline import offline_model
from config import Settings


def build_model(settings: Settings) -> Model:
    if not settings.anthropic_api_key:
        return offline_model()
    from pydantic_ai.models.anthropic import AnthropicModel
    from pydantic_ai.providers.anthropic import AnthropicProvider

    provider = AnthropicProvider(
        api_key=settings.anthropic_api_key, base_url=settings.anthropic_base_url or None
    )
    return AnthropicModel(settings.model, provider=provider)


def model_label(settings: Settings) -> str:
    return f"anthropic:{settings.model}" if settings.anthropic_api_key else "offline"

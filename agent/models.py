"""Which model answers: Anthropic when configured, the offline model otherwise; and our own
bounds on it (a request's total time and first event, the SDK's retries)."""

from __future__ import annotations

from pydantic_ai.models import Model
from pydantic_ai.settings import ModelSettings

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
    return AnthropicModel(settings.model, provider=provider, settings=model_settings(settings))


def model_settings(settings: Settings) -> ModelSettings:
    """Deadlines enforced around every request (covering all the SDK's attempts), and how many
    times the SDK retries overload, rate limits and lost connections, with its backoff."""
    return ModelSettings(
        request_timeout=settings.model_request_timeout_s,
        first_event_timeout=settings.model_first_event_timeout_s,
        max_retries=settings.model_max_retries,
    )


def model_label(settings: Settings) -> str:
    return f"anthropic:{settings.model}" if settings.anthropic_api_key else "offline"

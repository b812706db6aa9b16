"""The chat rate limit: per person, a one-minute window, shared through Redis in production."""

import pytest

from agent.rate_limit import MemoryRateLimiter, RateLimited, RedisRateLimiter


class Clock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "redis"])
def limiter_factory(request):
    if request.param == "memory":
        return lambda per_minute, clock: MemoryRateLimiter(per_minute, clock)
    url = request.getfixturevalue("redis_url")
    return lambda per_minute, clock: RedisRateLimiter(url, per_minute, clock)


def test_turns_over_the_limit_say_when_to_try_again(limiter_factory):
    clock = Clock(1_000_040.0)  # 20 s into a minute window (1,000,020 is a window start)
    limiter = limiter_factory(3, clock)
    for _ in range(3):
        limiter.check("ed@genthrust.test")
    with pytest.raises(RateLimited, match="Try again in 40 seconds") as refused:
        limiter.check("ed@genthrust.test")
    assert refused.value.retry_after_s == 40
    limiter.check("vi@genthrust.test")  # another person is not affected
    clock.now += 40  # the next window
    limiter.check("ed@genthrust.test")


def test_two_app_instances_share_the_count(redis_url):
    clock = Clock(2_000_000.0)
    first, second = RedisRateLimiter(redis_url, 2, clock), RedisRateLimiter(redis_url, 2, clock)
    first.check("ed@genthrust.test")
    second.check("ed@genthrust.test")
    with pytest.raises(RateLimited):
        first.check("ed@genthrust.test")

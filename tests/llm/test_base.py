from collections.abc import AsyncIterator

from devussy.llm.base import Capabilities, ChatDelta, ChatMessage, ChatRequest, LLMProvider
from devussy.models import Usage
from devussy.stages.inputs import PlanInput
from tests import samples


class EchoProvider:
    name = "echo"
    capabilities = Capabilities(offline=True)

    async def stream(self, request: ChatRequest) -> AsyncIterator[ChatDelta]:
        for word in request.messages[-1].content.split():
            yield ChatDelta(text=word)
        yield ChatDelta(usage=Usage(completion_tokens=1), finish_reason="stop")


def test_a_plain_class_satisfies_the_provider_contract() -> None:
    assert isinstance(EchoProvider(), LLMProvider)
    assert not isinstance(object(), LLMProvider)


async def test_stream_yields_text_then_a_final_usage_delta() -> None:
    task = PlanInput(design=samples.design())
    request = ChatRequest(messages=[ChatMessage("user", "plan my app")], task=task)
    deltas = [delta async for delta in EchoProvider().stream(request)]
    assert [d.text for d in deltas[:-1]] == ["plan", "my", "app"]
    assert deltas[-1].usage == Usage(completion_tokens=1) and deltas[-1].finish_reason == "stop"


def test_capabilities_default_to_a_plain_streaming_engine() -> None:
    plain = Capabilities()
    flags = (plain.streaming, plain.json_schema, plain.usage_in_stream, plain.offline)
    assert flags == (True, False, False, False)

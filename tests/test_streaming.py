from devussy.streaming import CollectingStreamingHandler, NullStreamingHandler, StreamingHandler


async def feed(sink: StreamingHandler) -> None:
    await sink.on_token_async("Hel")
    await sink.on_token_async("lo")
    await sink.on_progress_async({"event": "phase", "phase": {"number": 1}})
    await sink.on_completion_async("Hello")


async def test_collecting_handler_records_everything_in_order() -> None:
    sink = CollectingStreamingHandler()
    await feed(sink)
    assert sink.tokens == ["Hel", "lo"]
    assert sink.text == "Hello"
    assert sink.progress == [{"event": "phase", "phase": {"number": 1}}]
    assert sink.completions == ["Hello"]


async def test_null_handler_accepts_everything() -> None:
    await feed(NullStreamingHandler())

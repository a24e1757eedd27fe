"""Tests of streamlib_client's session client against ``fake_server.FakeServer`` (each pipeline
there is one behaviour: refusals, faults, a server that vanishes, one that stops reading)."""

from __future__ import annotations

import asyncio
import socket
from array import array
from typing import AsyncIterator, List

import numpy
import pytest
import pytest_asyncio  # noqa: F401  (a missing plugin fails here, loudly: "No module named")

from fake_server import TOKEN, FakeServer
from streamlib_client import (
    AudioFrame,
    ConfigureRefusedError,
    EncodedVideoFrame,
    Frame,
    VideoFrame,
    ConnectionFailedError,
    ConnectionLostError,
    DataFrame,
    FrameRefusedError,
    Output,
    SessionEndedError,
    SessionRefusedError,
    StreamlibError,
    WireError,
    audio_frame,
    connect,
    to_numpy,
)
from streamlib_client.wire import End, FrameMessage


def block(value: float, frames: int = 320) -> AudioFrame:
    """20 ms of 16 kHz mono audio at one value."""
    return audio_frame(array("f", [value] * frames), sample_rate=16000)


async def collect(outputs: AsyncIterator[Output]) -> List[Output]:
    return [item async for item in outputs]


@pytest.fixture
async def server() -> AsyncIterator[FakeServer]:
    async with FakeServer() as running:
        yield running


async def test_session_streams_frames_in_and_processed_frames_out(server: FakeServer) -> None:
    async with connect(server.url, token=TOKEN) as client:
        session = await client.open("gain")
        assert session.inputs["voice"].kind == "audio" and list(session.output_ports) == ["voice"]
        reading = asyncio.ensure_future(collect(session.outputs()))
        sequences = [await session.send("voice", block(0.1 * i), {"chunk": str(i)}) for i in range(5)]
        await session.end("voice")
        got = await reading
        assert sequences == [0, 1, 2, 3, 4]
        assert [o.sequence for o in got] == sequences
        assert [o.metadata["chunk"] for o in got] == ["0", "1", "2", "3", "4"]
        assert all(o.output == "voice" for o in got)
        frame = got[4].frame
        assert isinstance(frame, AudioFrame) and frame.frame_count == 320
        assert frame.samples[0] == pytest.approx(0.2)
        await session.close()
        assert session.state == "closed" and session.error is None
    kinds = [type(m).__name__ for m in server.received]
    assert kinds == ["FrameMessage"] * 5 + ["End"]


async def test_numpy_samples_in_and_out(server: FakeServer) -> None:
    stereo = numpy.stack([numpy.full(160, 0.5, numpy.float32), numpy.full(160, -0.5, numpy.float32)], axis=1)
    frame = audio_frame(stereo, sample_rate=16000)
    assert (frame.channels, frame.frame_count) == (2, 160)
    async with connect(server.url, token=TOKEN) as client:
        outputs = await client.execute("gain", {"voice": [frame]})
    back = to_numpy(outputs["voice"][0].frame)  # type: ignore[arg-type]
    assert back.shape == (160, 2)
    assert numpy.allclose(back[:, 0], 0.25) and numpy.allclose(back[:, 1], -0.25)


async def test_send_takes_an_audio_frame_holding_a_numpy_array(server: FakeServer) -> None:
    samples = numpy.linspace(-1, 1, 320, dtype=numpy.float64)
    frame = AudioFrame(channels=1, sample_rate=16000, frame_count=320, samples=samples)  # type: ignore[arg-type]
    async with connect(server.url, token=TOKEN) as client:
        outputs = await client.execute("gain", {"voice": [frame]})
    out = outputs["voice"][0].frame
    assert isinstance(out, AudioFrame)
    assert out.samples[0] == pytest.approx(-0.5) and out.samples[-1] == pytest.approx(0.5)


async def test_execute_runs_a_pipeline_over_whole_inputs(server: FakeServer) -> None:
    async def frames() -> AsyncIterator[AudioFrame]:
        for i in range(3):
            yield block(0.2 * i)

    async with connect(server.url, token=TOKEN) as client:
        outputs = await client.execute("gain", {"voice": frames()})
        assert [o.sequence for o in outputs["voice"]] == [0, 1, 2]
        assert outputs["voice"][2].frame.samples[0] == pytest.approx(0.2)  # type: ignore[union-attr]
        tagged = await client.execute("gain", {"voice": [(block(1.0), {"take": "1"})]})
        assert tagged["voice"][0].metadata == {"take": "1"}
        nothing = await client.execute("gain", {})
        assert nothing == {"voice": []}
        with pytest.raises(FrameRefusedError) as refused:  # the last frame refused: not lost silently
            await client.execute("gain", {"voice": [block(0.1), (block(0.2), {"refuse": "1"})]})
        assert refused.value.code == "app_frame_mismatch"
        assert repr(client).endswith("sessions=0)")


async def test_open_and_execute_send_the_pipelines_parameters(server: FakeServer) -> None:
    async with connect(server.url, token=TOKEN, metadata={"client": "pytest"}) as client:
        async with await client.open("gain", metadata={"take": "1"}, parameters={"gain": 3}) as session:
            await session.send("voice", block(0.25))
            await session.end("voice")
            got = await collect(session.outputs())
        assert got[0].frame.samples[0] == pytest.approx(0.75)  # type: ignore[union-attr]
        outputs = await client.execute("gain", {"voice": [block(0.5)]}, parameters={"gain": 2})
        assert outputs["voice"][0].frame.samples[0] == pytest.approx(1.0)  # type: ignore[union-attr]
        plain = await client.execute("gain", {"voice": [block(0.5)]}, parameters={})
        assert plain["voice"][0].frame.samples[0] == pytest.approx(0.25)  # type: ignore[union-attr]
    first, second, third = server.opens
    assert first.parameters == {"gain": 3} and first.metadata == {"client": "pytest", "take": "1"}
    assert second.parameters == {"gain": 2}
    assert third.parameters is None  # none given (an empty mapping): a version 1 open


async def test_parameter_refusals_carry_the_servers_code(server: FakeServer) -> None:
    async with connect(server.url, token=TOKEN) as client:
        with pytest.raises(SessionRefusedError) as refused:
            await client.open("gain", parameters={"volume": 3})
        assert refused.value.code == "unknown_parameter" and "Its parameters: gain" in refused.value.message
        with pytest.raises(SessionRefusedError) as refused:
            await client.execute("gain", {"voice": [block(0.1)]}, parameters={"gain": "loud"})
        assert refused.value.code == "invalid_parameter"
        # What the wire cannot carry is refused before connecting, with the wire's code.
        opened = len(server.opens)
        for bad in [{"gain": float("nan")}, {"blob": "x" * 70_000}, [("gain", 3)]]:
            with pytest.raises(WireError) as wrong:
                await client.open("gain", parameters=bad)  # type: ignore[arg-type]
            assert wrong.value.code in ("wire_malformed", "wire_too_large") and wrong.value.field == "parameters"
        assert len(server.opens) == opened


async def test_configure_changes_the_gain_and_refusals_carry_the_servers_code(server: FakeServer) -> None:
    async with connect(server.url, token=TOKEN) as client:
        async with await client.open("gain", parameters={"gain": 2}) as session:
            outputs = session.outputs()

            async def round_trip() -> float:
                await session.send("voice", block(0.25))
                got = await outputs.__anext__()
                return float(got.frame.samples[0])  # type: ignore[union-attr]

            assert await round_trip() == pytest.approx(0.5)
            await session.configure({"gain": 3})
            assert await round_trip() == pytest.approx(0.75)
            for values, code in [({"gian": 1}, "unknown_parameter"), ({"gain": -5}, "invalid_parameter"), ({"channels": 1}, "config_locked")]:
                with pytest.raises(ConfigureRefusedError) as refused:
                    await session.configure(values)
                assert refused.value.code == code and refused.value.details["session"] == session.id
            assert await round_trip() == pytest.approx(0.75)  # a refused change changes nothing
            # Several at once: each answer settles its own call, by request id.
            results = await asyncio.gather(
                session.configure({"gain": 1}), session.configure({"nope": 1}), session.configure({"gain": 4}), return_exceptions=True
            )
            assert results[0] is None and results[2] is None
            assert isinstance(results[1], ConfigureRefusedError) and results[1].code == "unknown_parameter"
            assert await round_trip() == pytest.approx(1.0)
            # What the wire cannot carry is refused before sending, with the wire's code.
            sent = len(server.received)
            for bad in [{"gain": float("nan")}, {"blob": "x" * 70_000}, [("gain", 3)]]:
                with pytest.raises(WireError) as wrong:
                    await session.configure(bad)  # type: ignore[arg-type]
                assert wrong.value.code in ("wire_malformed", "wire_too_large") and wrong.value.field == "parameters"
            assert len(server.received) == sent
            assert session.errors == []
        with pytest.raises(SessionEndedError) as ended:
            await session.configure({"gain": 1})
        assert ended.value.code == "session_closed"


async def test_configure_against_a_version_2_server_is_refused_with_wire_version(server: FakeServer) -> None:
    async with connect(server.url, token=TOKEN) as client:
        async with await client.open("v2") as session:
            with pytest.raises(ConfigureRefusedError) as refused:
                await session.configure({"gain": 3})
            assert refused.value.code == "wire_version" and "wire version 3" in refused.value.message
            assert session.errors == []  # the answer to the configure, not a refused frame
            await session.send("voice", block(0.5))  # the session goes on
            await session.end("voice")
            assert len(await collect(session.outputs())) == 1


async def test_a_configure_waiting_when_the_session_ends_raises_its_end(server: FakeServer) -> None:
    async with connect(server.url, token=TOKEN) as client:
        session = await client.open("stall")  # reads nothing until released: no answer comes
        waiting = asyncio.ensure_future(session.configure({"gain": 3}))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        await session.close()
        with pytest.raises(SessionEndedError) as ended:
            await waiting
        assert ended.value.code == "session_closed"
        session = await client.open("stall")
        with pytest.raises(StreamlibError) as late:
            await session.configure({"gain": 3}, timeout=0.05)
        assert late.value.code == "session_unresponsive"
        assert session.state == "running"
        await session.close()


async def test_refusals_carry_the_servers_code(server: FakeServer) -> None:
    async with connect(server.url, token=TOKEN) as client:
        with pytest.raises(SessionRefusedError) as refused:
            await client.open("no-such-pipeline")
        assert refused.value.code == "pipeline_not_found" and "available: gain" in refused.value.message
    async with connect(server.url, token="wrong") as client:
        with pytest.raises(SessionRefusedError) as refused:
            await client.execute("gain", {"voice": [block(0)]})
        assert refused.value.code == "invalid_token"
    async with connect(server.url.replace("/sessions", "/elsewhere"), token=TOKEN) as client:
        with pytest.raises(SessionRefusedError) as refused:
            await client.open("gain")
        assert refused.value.code == "not_found" and refused.value.details["status"] == 404
    async with connect(server.url.replace("/sessions", "/no-server"), token=TOKEN) as client:
        with pytest.raises(ConnectionFailedError) as failed:  # a proxy's answer, not the server's
            await client.open("gain")
        assert failed.value.code == "connection_failed" and failed.value.details["status"] == 503


async def test_an_unreachable_server_is_connection_failed() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with connect(f"ws://127.0.0.1:{port}/sessions", token=TOKEN, open_timeout=20) as client:
        with pytest.raises(ConnectionFailedError) as failed:
            await client.open("gain")
    assert failed.value.code == "connection_failed" and str(port) in failed.value.message
    assert isinstance(failed.value, StreamlibError) and isinstance(failed.value, ConnectionError)


async def test_frames_are_checked_against_the_sessions_ports(server: FakeServer) -> None:
    async with connect(server.url, token=TOKEN) as client:
        session = await client.open("gain")
        with pytest.raises(FrameRefusedError) as refused:
            await session.send("mic", block(0))
        assert refused.value.code == "app_port_not_found" and refused.value.details["available"] == ["voice"]
        assert "available inputs: voice" in refused.value.message
        with pytest.raises(FrameRefusedError) as refused:
            await session.send("voice", DataFrame({"not": "audio"}))
        assert refused.value.code == "app_frame_mismatch"
        with pytest.raises(FrameRefusedError) as refused:
            audio_frame([0.1, 0.2, 0.3], sample_rate=16000, channels=2)
        assert refused.value.code == "app_frame_mismatch"
        for not_a_frame in ([0.1, 0.2], None, array("f", [0.1])):
            with pytest.raises(FrameRefusedError) as refused:
                await session.send("voice", not_a_frame)  # type: ignore[arg-type]
            assert refused.value.code == "app_frame_mismatch"
            assert f"Cannot send a {type(not_a_frame).__name__} to 'voice': expected a frame" in refused.value.message
            assert "None frame" not in refused.value.message
        with pytest.raises(FrameRefusedError):
            session.end("mic")
        reading = asyncio.ensure_future(collect(session.outputs()))
        assert await session.send("voice", block(0.5)) == 0
        session.end("voice")  # not awaited: still sent after the frame
        session.end("voice")  # twice does nothing more
        with pytest.raises(FrameRefusedError) as refused:
            await session.send("voice", block(0))
        assert refused.value.code == "app_port_ended"
        assert len(await reading) == 1
        await session.close()
        with pytest.raises(SessionEndedError) as ended:
            await session.send("voice", block(0))
        assert ended.value.code == "session_closed"
        await session.close()  # idempotent


async def test_a_frame_over_the_sessions_message_limit_is_refused() -> None:
    async with FakeServer(max_message_bytes=4096) as small, connect(small.url, token=TOKEN) as client:
        session = await client.open("gain")
        assert session.max_message_bytes == 4096
        with pytest.raises(FrameRefusedError) as refused:
            await session.send("voice", block(0, frames=2048))
        assert refused.value.code == "message_too_large"
        assert await session.send("voice", block(0, frames=16)) == 0  # the session goes on
        await session.close()


async def test_a_frame_the_server_refuses_is_raised_by_the_next_call(server: FakeServer) -> None:
    async with connect(server.url, token=TOKEN) as client:
        session = await client.open("gain")
        reading = asyncio.ensure_future(collect(session.outputs()))
        await session.send("voice", block(0.1), {"refuse": "1"})
        await session.ping()  # the server answered the frame before the pong
        assert [e.code for e in session.errors] == ["app_frame_mismatch"]
        with pytest.raises(FrameRefusedError) as refused:
            await session.send("voice", block(0.2))
        assert refused.value.code == "app_frame_mismatch" and refused.value.details["session"] == session.id
        assert await session.send("voice", block(0.3)) == 1  # raised once; the session carries on
        await session.end("voice")
        got = await reading
        assert [o.sequence for o in got] == [1]
        assert session.state == "closed"


async def test_a_session_keeps_the_last_64_non_fatal_errors(server: FakeServer) -> None:
    async with connect(server.url, token=TOKEN) as client:
        session = await client.open("gain")
        reading = asyncio.ensure_future(collect(session.outputs()))
        sent = 0
        while sent < 100:
            # Each is refused by the server; a refusal is raised by the next send() (which then
            # sends nothing), so a frame is sent again until it went.
            try:
                await session.send("voice", block(0.1), {"refuse": str(sent)})
                sent += 1
            except FrameRefusedError:
                pass
        await session.ping()  # the server answered every frame before the pong
        assert len(session.errors) == 64
        assert session.errors[-1].code == "app_frame_mismatch"
        assert len(session._unreported) <= 64
        while True:  # end() raises what is still unreported first, one a call
            try:
                await session.end("voice")
                break
            except FrameRefusedError:
                pass
        await reading


async def test_a_fatal_error_ends_the_session_after_the_frames_before_it(server: FakeServer) -> None:
    async with connect(server.url, token=TOKEN) as client:
        session = await client.open("fail")
        got: List[Output] = []
        for i in range(3):
            await session.send("voice", block(0.1))
        with pytest.raises(SessionEndedError) as ended:
            async for item in session.outputs():
                got.append(item)
        assert ended.value.code == "session_processor_failed" and "boom" in ended.value.message
        assert [o.sequence for o in got] == [0, 1]
        assert session.state == "failed" and session.error is ended.value
        with pytest.raises(SessionEndedError):
            await session.send("voice", block(0.1))
        await session.close()  # a failed session closes without raising


async def test_a_server_that_vanishes_mid_stream_is_connection_lost(server: FakeServer) -> None:
    async with connect(server.url, token=TOKEN) as client:
        session = await client.open("vanish")
        with pytest.raises(ConnectionLostError) as lost:
            for i in range(1000):
                await session.send("voice", block(0.1))
                await asyncio.sleep(0)
        assert lost.value.code == "connection_lost" and session.id in lost.value.message
        with pytest.raises(ConnectionLostError):
            await collect(session.outputs())
        assert session.state == "failed"


async def test_outputs_raise_connection_lost_when_the_server_vanishes(server: FakeServer) -> None:
    async with connect(server.url, token=TOKEN) as client:
        session = await client.open("vanish")
        reading = asyncio.ensure_future(collect(session.outputs()))
        for i in range(3):
            await session.send("voice", block(0.1))
        with pytest.raises(ConnectionLostError):
            await reading


async def test_send_paces_itself_to_what_the_graph_took(server: FakeServer) -> None:
    """The server holds 16 frames for a graph that takes one per 10 ms: a window of 8 never
    overruns it, whatever the sender's speed; a window of 1,000 does, and the session ends with
    the server's code."""
    async with connect(server.url, token=TOKEN, window=8) as client:
        session = await client.open("slow")
        reading = asyncio.ensure_future(collect(session.outputs()))
        for i in range(60):
            await session.send("voice", block(0.1))
        await session.end("voice")
        assert len(await reading) == 60
        assert server.most_waiting <= 8
    async with connect(server.url, token=TOKEN, window=1000) as client:
        session = await client.open("slow")
        with pytest.raises(SessionEndedError) as overrun:
            for i in range(1000):
                await session.send("voice", block(0.1))
            await collect(session.outputs())
        assert overrun.value.code == "input_overrun"
    with pytest.raises(ValueError):
        connect(server.url, window=0)


@pytest.mark.parametrize("window", [32, 100_000], ids=["window", "socket"])
async def test_send_waits_while_the_server_does_not_read(window: int) -> None:
    """Back-pressure: with a server that reads nothing, sends stop completing (at the pacing
    window, or, with a huge window and message limit, when the socket's buffers fill: 256 KiB
    frames, 48 MiB in all, far past any socket buffer); once it reads, every frame arrives, in
    order."""
    total = 192
    sent = 0
    async with FakeServer(max_message_bytes=1 << 30) as server, connect(server.url, token=TOKEN, window=window) as client:
        session = await client.open("stall")

        async def sender() -> None:
            nonlocal sent
            for i in range(total):
                await session.send("voice", audio_frame(array("f", bytes(4 * 65536)), sample_rate=16000))
                sent += 1
            await session.end("voice")

        task = asyncio.ensure_future(sender())
        last = -1
        for _ in range(120):  # until the count holds still for a second (at most 2 minutes)
            await asyncio.sleep(1)
            if sent == last and sent > 0:
                break
            last = sent
        assert 0 < sent < total, f"sent {sent} of {total} while the server read nothing"
        server.release.set()
        async for _ in session.outputs():
            pass
        await task
        assert sent == total
    frames = [m for m in server.received if isinstance(m, FrameMessage)]
    assert [m.sequence for m in frames] == list(range(total))
    assert isinstance(server.received[-1], End)


async def test_an_undecodable_message_fails_the_session_with_its_wire_code(server: FakeServer) -> None:
    async with connect(server.url, token=TOKEN) as client:
        session = await client.open("garbage")
        await session.send("voice", block(0.1))
        with pytest.raises(WireError) as bad:
            await collect(session.outputs())
        assert bad.value.code == "wire_truncated" and session.state == "failed"
        assert isinstance(bad.value, StreamlibError) and isinstance(bad.value, ValueError)


async def test_pings_both_ways(server: FakeServer) -> None:
    async with connect(server.url, token=TOKEN) as client:
        session = await client.open("pinger")
        assert await session.ping() >= 0
        await session.send("voice", block(0.1))
        await session.end("voice")
        await collect(session.outputs())
    assert server.pongs == [77]


async def test_leaving_the_client_closes_its_sessions(server: FakeServer) -> None:
    async with connect(server.url, token=TOKEN, metadata={"client": "pytest"}) as client:
        first = await client.open("gain")
        second = await client.open("gain")
        await first.send("voice", block(0.1))
    assert first.state == "closed" and second.state == "closed"
    assert server.closed_by_client == 2


async def test_a_ping_nobody_answers_times_out_and_the_session_goes_on(server: FakeServer) -> None:
    async with connect(server.url, token=TOKEN) as client:
        session = await client.open("stall")
        with pytest.raises(TimeoutError):
            await session.ping(timeout=0.2)
        assert session.state == "running"
        server.release.set()
        assert await session.ping() >= 0


async def test_every_frame_kind_goes_both_ways(server: FakeServer) -> None:
    frames: List[Frame] = [
        block(0.25, frames=4),
        VideoFrame(width=2, height=2, format="RGBA", stride=8, data=bytes(range(16)), timestamp_ns=5, frame_number=1),
        VideoFrame(width=3, height=2, format="I420", stride=3, data=bytes(6 + 2 * 2 * 1), frame_number=2),
        EncodedVideoFrame(codec="h264", keyframe=True, data=b"\x00\x00\x00\x01\x65", frame_number=3),
        DataFrame({"words": ["hello", "wörld"], "confidence": 0.5, "final": True}),
    ]
    async with connect(server.url, token=TOKEN) as client:
        outputs = await client.execute("echo", {"any": frames})
    assert [o.frame for o in outputs["any"]] == frames

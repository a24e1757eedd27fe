"""The client against the real server, ``streamlib serve`` of ``examples/pipelines``: sessions,
unary runs, refusals with the server's codes, limits, and a server that stops or vanishes."""

from __future__ import annotations

import asyncio
from array import array
from typing import Callable, List

import pytest

from live_server import EVERY_PIPELINE, Served, ServeProcess
from streamlib_client import (
    AudioFrame,
    ConfigureRefusedError,
    ConnectionFailedError,
    ConnectionLostError,
    DataFrame,
    FrameRefusedError,
    Output,
    SessionEndedError,
    SessionRefusedError,
    SessionUnresponsiveError,
    audio_frame,
    connect,
)


def block(value: float, frames: int = 320) -> AudioFrame:
    return audio_frame(array("f", [value] * frames), sample_rate=16000)


async def test_a_voice_session_streams_processed_pcm_back(served: Served) -> None:
    async with connect(served.url, token=served.token) as client:
        async with await client.open("voice-fx", metadata={"test": "live"}) as session:
            assert set(session.inputs) == {"voice"} and set(session.output_ports) == {"voice"}
            got: List[Output] = []

            async def read() -> None:
                async for item in session.outputs():
                    got.append(item)

            reader = asyncio.ensure_future(read())
            for i in range(40):
                ramp = array("f", [(i * 320 + n) / 20000 - 0.5 for n in range(320)])
                await session.send("voice", audio_frame(ramp, 16000), {"i": str(i)})
            await session.end("voice")
            await reader
        assert session.state == "closed"
    assert [o.sequence for o in got] == list(range(40))
    assert [o.metadata for o in got] == [{"i": str(i)} for i in range(40)]
    last = got[-1].frame
    assert isinstance(last, AudioFrame) and (last.channels, last.frame_count) == (1, 320)
    assert last.samples[10] == pytest.approx(((39 * 320 + 10) / 20000 - 0.5) * 0.5, abs=1e-6)


async def test_unary_execute_through_gain_and_reverb(served: Served) -> None:
    async with connect(served.url, token=served.token) as client:
        outputs = await client.execute("wav-fx", {"audio": [(block(0.5, 960), {"n": str(i)}) for i in range(10)]})
    frames = outputs["audio"]
    assert len(frames) == 10 and [o.metadata["n"] for o in frames] == [str(i) for i in range(10)]
    first = frames[0].frame
    assert isinstance(first, AudioFrame) and first.channels == 2  # the chain made it stereo
    # gain 0.8, then the reverb's dry 0.7 (its wet tail starts later): 0.28 at the first sample
    assert first.samples[0] == pytest.approx(0.5 * 0.8 * 0.7, abs=1e-3)


async def test_parameters_choose_a_sessions_gain(served: Served) -> None:
    async with connect(served.url, token=served.token) as client:
        async with await client.open("voice-fx", parameters={"gain": 3}) as session:
            await session.send("voice", block(0.25))
            await session.end("voice")
            got = [item async for item in session.outputs()]
        assert isinstance(got[0].frame, AudioFrame) and got[0].frame.samples[0] == pytest.approx(0.75)
        doubled = await client.execute("voice-fx", {"voice": [block(0.25)]}, parameters={"gain": 2})
        plain = await client.execute("voice-fx", {"voice": [block(0.25)]})  # the manifest's 0.5
        for outputs, want in ((doubled, 0.5), (plain, 0.125)):
            frame = outputs["voice"][0].frame
            assert isinstance(frame, AudioFrame) and frame.samples[0] == pytest.approx(want)
        with pytest.raises(SessionRefusedError) as refused:
            await client.open("voice-fx", parameters={"gian": 2})
        assert refused.value.code == "unknown_parameter"
        assert "Did you mean gain?" in refused.value.message and "Its parameters: gain" in refused.value.message
        for bad in (-1, 99, "loud", [2]):
            with pytest.raises(SessionRefusedError) as refused:
                await client.execute("voice-fx", {"voice": [block(0.25)]}, parameters={"gain": bad})
            assert refused.value.code == "invalid_parameter", bad
            assert "Parameter gain (fx.gain) must be a number from 0 to 16" in refused.value.message
        with pytest.raises(SessionRefusedError) as refused:  # wav-fx declares none
            await client.open("wav-fx", parameters={"gain": 1})
        assert refused.value.code == "unknown_parameter" and "(none)" in refused.value.message


async def test_configure_changes_a_running_sessions_gain(served: Served) -> None:
    async with connect(served.url, token=served.token) as client:
        async with await client.open("voice-fx", parameters={"gain": 2}) as session:
            outputs = session.outputs()

            async def round_trip() -> float:
                await session.send("voice", block(0.25))
                frame = (await outputs.__anext__()).frame
                assert isinstance(frame, AudioFrame)
                return float(frame.samples[0])

            assert await round_trip() == pytest.approx(0.5)
            await session.configure({"gain": 3})
            assert await round_trip() == pytest.approx(0.75)
            with pytest.raises(ConfigureRefusedError) as refused:
                await session.configure({"gian": 1})
            assert refused.value.code == "unknown_parameter" and "Did you mean gain?" in refused.value.message
            with pytest.raises(ConfigureRefusedError) as refused:
                await session.configure({"gain": 99})
            assert refused.value.code == "invalid_parameter"
            assert await round_trip() == pytest.approx(0.75)  # refused: nothing changed, the session goes on
            assert session.errors == [] and session.state == "running"


async def test_refusals_carry_the_servers_codes(served: Served) -> None:
    cases = [
        ("voice-fx", "", "missing_token"),
        ("voice-fx", "not-the-token", "invalid_token"),
        ("no-such-pipeline", served.token, "pipeline_not_allowed"),
        ("no-such-pipeline", EVERY_PIPELINE, "pipeline_not_found"),
    ]
    for pipeline, token, code in cases:
        async with connect(served.url, token=token) as client:
            with pytest.raises(SessionRefusedError) as refused:
                await client.open(pipeline)
        assert refused.value.code == code, refused.value
        assert refused.value.message
    async with connect(served.url.replace("/v1/sessions", "/no-such-route"), token=served.token) as client:
        with pytest.raises(SessionRefusedError) as refused:
            await client.open("voice-fx")
    assert refused.value.details["status"] >= 400


async def test_pipelines_lists_what_the_token_opens_with_parameters(served: Served) -> None:
    async with connect(served.url, token=served.token) as client:
        listed = await client.pipelines()
    names = [p["name"] for p in listed]
    assert names == ["voice-fx", "wav-fx"], names
    gain = listed[0]["parameters"]["gain"]
    assert gain["target"] == "fx.gain"
    assert gain["live"] is True
    assert gain["schema"]["type"] == "number"
    assert listed[0]["inputs"] == ["voice"]
    for token, code in [("", "missing_token"), ("not-the-token", "invalid_token")]:
        async with connect(served.url, token=token) as client:
            with pytest.raises(SessionRefusedError) as refused:
                await client.pipelines()
        assert refused.value.code == code, refused.value
    async with connect(served.url.replace("/v1/sessions", "/no-such-route/v1/sessions")) as client:
        with pytest.raises(SessionRefusedError) as refused:
            await client.pipelines()
    assert refused.value.code == "not_found", refused.value
    async with connect("ws://127.0.0.1:9/v1/sessions", open_timeout=2) as client:
        with pytest.raises(ConnectionFailedError):
            await client.pipelines()


async def test_frames_are_checked_before_they_leave(served: Served) -> None:
    async with connect(served.url, token=served.token) as client:
        async with await client.open("voice-fx") as session:
            with pytest.raises(FrameRefusedError) as refused:
                await session.send("voice", DataFrame({"not": "audio"}))
            assert refused.value.code == "app_frame_mismatch"
            with pytest.raises(FrameRefusedError) as refused:
                await session.send("mic", block(0))
            assert refused.value.code == "app_port_not_found" and refused.value.details["available"] == ["voice"]
            assert await session.send("voice", block(0.1)) == 0  # the session goes on
            await session.ping()


async def test_sessions_run_side_by_side(served: Served) -> None:
    from voice_fx_session import run_session, synthesized_voice

    voice = synthesized_voice(0.6)
    reports = await asyncio.gather(*(run_session(served.url, served.token, voice) for _ in range(6)))
    for report in reports:
        assert report.problems == [] and report.checked == report.sent == 30


async def test_past_max_sessions_the_server_refuses(serve: Callable[..., ServeProcess]) -> None:
    server = serve("--max-sessions", "2")
    async with connect(server.url, token=EVERY_PIPELINE) as client:
        first = await client.open("voice-fx")
        await client.open("voice-fx")
        with pytest.raises(SessionRefusedError) as refused:
            await client.open("voice-fx")
        assert refused.value.code == "session_limit_reached"
        await first.close()
        for _ in range(300):  # a place frees once the server ended the first session's isolate
            try:
                third = await client.open("voice-fx")
                break
            except SessionRefusedError as error:
                assert error.code == "session_limit_reached"
                await asyncio.sleep(0.1)
        assert third.state == "running"


async def test_an_idle_session_ends_with_the_servers_code(serve: Callable[..., ServeProcess]) -> None:
    server = serve("--idle-timeout", "2")
    async with connect(server.url, token=EVERY_PIPELINE) as client:
        session = await client.open("voice-fx")
        with pytest.raises(SessionEndedError) as ended:
            async for _ in session.outputs():
                pass
        assert ended.value.code == "session_idle_timeout"
        assert session.state == "failed"


async def test_a_client_that_sends_and_never_reads_ends_instead_of_hanging(serve: Callable[..., ServeProcess]) -> None:
    """Sends without reading outputs: the client's buffer fills, it stops reading the socket, the
    graph stalls and the server ends the session (idle timeout), unheard behind the unread frames.
    The sends wait for a pong that cannot come; after ``pong_timeout`` the session ends with
    ``session_unresponsive``, naming the unread outputs (the client used to wait for ever)."""
    server = serve("--idle-timeout", "2")
    async with connect(server.url, token=EVERY_PIPELINE, pong_timeout=4) as client:
        session = await client.open("voice-fx")
        with pytest.raises(SessionUnresponsiveError) as stuck:
            for _ in range(100_000):
                await asyncio.wait_for(session.send("voice", block(0.1)), 30)
        assert stuck.value.code == "session_unresponsive"
        assert "output frames wait unread: read outputs() while sending" in stuck.value.message
        assert session.state == "failed"


async def test_a_stopping_server_flushes_then_closes_with_a_code(serve: Callable[..., ServeProcess]) -> None:
    server = serve()
    async with connect(server.url, token=EVERY_PIPELINE) as client:
        session = await client.open("voice-fx")
        for i in range(10):
            await session.send("voice", block(0.2))
        await session.ping()  # every frame sent is taken by the graph
        server.process.terminate()  # SIGTERM
        got: List[Output] = []
        with pytest.raises(SessionEndedError) as ended:
            async for item in session.outputs():
                got.append(item)
        assert ended.value.code == "server_shutting_down"
        assert [o.sequence for o in got] == list(range(10))  # nothing accepted was lost
        assert server.process.wait(timeout=60) == 0


async def test_a_server_that_vanishes_is_connection_lost(serve: Callable[..., ServeProcess]) -> None:
    server = serve()
    async with connect(server.url, token=EVERY_PIPELINE) as client:
        session = await client.open("voice-fx")
        reading = asyncio.ensure_future(session.outputs().__anext__())
        await session.send("voice", block(0.2))
        assert (await reading).sequence == 0
        server.kill()  # SIGKILL: no close message, no closing handshake
        with pytest.raises(ConnectionLostError) as lost:
            for _ in range(10_000):
                await session.send("voice", block(0.2))
            async for _ in session.outputs():
                pass
        assert lost.value.code == "connection_lost" and session.id in lost.value.message
        assert session.state == "failed"

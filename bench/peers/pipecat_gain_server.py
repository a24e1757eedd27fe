"""The pipecat side of bench/session_bench.ts: one pipecat pipeline per WebSocket client.

Each connection to ws://HOST:PORT/ws gets its own pipeline, the way pipecat serves per-caller bots:
FastAPIWebsocketTransport (ProtobufFrameSerializer) -> a gain -> the transport's output. Audio in is
16 kHz mono 16-bit PCM; the output transport sends 20 ms chunks (audio_out_10ms_chunks=2) so that one
20 ms block in gives one block out. Prints "ready PORT" on stdout once it listens.

Run: python bench/peers/pipecat_gain_server.py --port 8765 (pipecat-ai[websocket], fastapi, uvicorn).
"""

import argparse
import asyncio
import sys

import numpy as np
import uvicorn
from fastapi import FastAPI, WebSocket
from loguru import logger
from pipecat.frames.frames import Frame, InputAudioRawFrame, OutputAudioRawFrame
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.task import PipelineParams
from pipecat.pipeline.worker import PipelineWorker
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.serializers.protobuf import ProtobufFrameSerializer
from pipecat.workers.runner import WorkerRunner
from pipecat.transports.websocket.fastapi import (
    FastAPIWebsocketParams,
    FastAPIWebsocketTransport,
)

RATE = 16_000


class Gain(FrameProcessor):
    """Scales each input audio block by a gain and sends it on as output audio."""

    def __init__(self, gain: float):
        super().__init__()
        self._gain = gain

    async def process_frame(self, frame: Frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        if isinstance(frame, InputAudioRawFrame):
            pcm = np.frombuffer(frame.audio, dtype=np.int16).astype(np.float32) * self._gain
            out = np.clip(pcm, -32768, 32767).astype(np.int16).tobytes()
            await self.push_frame(
                OutputAudioRawFrame(audio=out, sample_rate=frame.sample_rate, num_channels=1)
            )
        else:
            await self.push_frame(frame, direction)


app = FastAPI()


@app.websocket("/ws")
async def session(websocket: WebSocket):
    await websocket.accept()
    transport = FastAPIWebsocketTransport(
        websocket=websocket,
        params=FastAPIWebsocketParams(
            audio_in_enabled=True,
            audio_in_sample_rate=RATE,
            audio_out_enabled=True,
            audio_out_sample_rate=RATE,
            audio_out_10ms_chunks=2,
            serializer=ProtobufFrameSerializer(),
        ),
    )
    pipeline = Pipeline([transport.input(), Gain(0.5), transport.output()])
    task = PipelineWorker(
        pipeline,
        params=PipelineParams(audio_in_sample_rate=RATE, audio_out_sample_rate=RATE),
        enable_rtvi=False,
    )

    @transport.event_handler("on_client_disconnected")
    async def on_client_disconnected(_transport, _client):
        await task.cancel()

    runner = WorkerRunner(handle_sigint=False)
    await runner.add_workers(task)
    await runner.run()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    logger.remove()
    logger.add(sys.stderr, level="WARNING")
    config = uvicorn.Config(app, host="127.0.0.1", port=args.port, log_level="warning")
    server = uvicorn.Server(config)

    async def serve():
        task = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.05)
        print(f"ready {args.port}", flush=True)
        await task

    asyncio.run(serve())


if __name__ == "__main__":
    main()

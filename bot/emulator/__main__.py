"""Run the emulator standalone: `python -m bot.emulator --port 8081`."""

from __future__ import annotations

import argparse
import asyncio

from bot.emulator.server import Emulator


async def _serve(args: argparse.Namespace) -> None:
    emu = Emulator(bot_token=args.token, bot_username=args.username, host=args.host, port=args.port)
    await emu.start()
    print(f"Telegram Bot API emulator on {emu.url}", flush=True)
    print(f"  PTB: base_url={emu.base_url}  base_file_url={emu.base_file_url}", flush=True)
    print(f"  token {emu.bot_token}; control API under {emu.url}/control/", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await emu.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST")
    parser.add_argument("--username", default="liaison_demo_bot")
    args = parser.parse_args(argv)
    try:
        asyncio.run(_serve(args))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()

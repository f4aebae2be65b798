"""Run the emulator standalone: `python -m emulator --port 8081`."""

from __future__ import annotations

import argparse
import asyncio

from emulator.server import Emulator


async def _serve(args: argparse.Namespace) -> None:
    emu = Emulator(bot_token=args.token, bot_username=args.username, host=args.host, port=args.port)
    for route in args.webhook_route:
        public, _, local = route.partition("=")
        try:
            emu.route_webhook(public, local)
        except ValueError as e:
            raise SystemExit(f"--webhook-route {route}: {e}") from None
    await emu.start()
    print(f"Telegram Bot API emulator on {emu.url}", flush=True)
    print(f"  PTB: base_url={emu.base_url}  base_file_url={emu.base_file_url}", flush=True)
    print(f"  token {emu.bot_token}; control API under {emu.url}/control/", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await emu.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST")
    parser.add_argument("--username", default="liaison_demo_bot")
    parser.add_argument(
        "--webhook-route", action="append", default=[], metavar="PUBLIC=LOCAL",
        help="deliver webhooks set under the https PUBLIC prefix to LOCAL on this machine, "
             "e.g. https://bot.example.org=http://127.0.0.1:8443 (the TLS proxy's part)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    try:
        asyncio.run(_serve(args))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""TCP relays that hold every byte for a fixed time in each direction.

The kernel here has no netem, so bench-deploy.sh puts one of these between the deployer
and each testbed host's sshd to give the SSH connections a round-trip time, as a fleet of
real machines has. Each chunk read from one side is written to the other side DELAY_MS
after it arrived, in order; nothing limits the rate.

    delay-proxy.py DELAY_MS READY_FILE LISTEN_PORT:TARGET_HOST:TARGET_PORT...

Listens on 127.0.0.1 (in the namespace it runs in). Writes READY_FILE once every port
listens. Runs until it is killed.
"""

import asyncio
import sys
import time


async def pump(reader, writer, delay):
    """Copies reader to writer, each chunk `delay` seconds after it was read."""
    queue = asyncio.Queue()

    async def send():
        while True:
            due, data = await queue.get()
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            if not data:
                break
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()

    sender = asyncio.create_task(send())
    try:
        while True:
            data = await reader.read(65536)
            queue.put_nowait((time.monotonic() + delay, data))
            if not data:
                break
        await sender
    except (ConnectionError, OSError):
        sender.cancel()
    finally:
        writer.close()


async def relay(client_reader, client_writer, host, port, delay):
    try:
        target_reader, target_writer = await asyncio.open_connection(host, port)
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(pump(client_reader, target_writer, delay), pump(target_reader, client_writer, delay),
                         return_exceptions=True)


async def main(argv):
    if len(argv) < 4:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    delay = float(argv[1]) / 1000.0
    servers = []
    for spec in argv[3:]:
        listen, host, port = spec.split(":")

        async def handle(r, w, host=host, port=int(port)):
            await relay(r, w, host, port, delay)

        servers.append(await asyncio.start_server(handle, "127.0.0.1", int(listen)))
    with open(argv[2], "w") as ready:
        ready.write("ready\n")
    await asyncio.gather(*(s.serve_forever() for s in servers))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv)))

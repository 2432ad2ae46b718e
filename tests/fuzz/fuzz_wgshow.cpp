// libFuzzer target: the `wg show` parsers and the status poll's output, fed whatever a
// hostile host might print.
#include "linkstatus.h"
#include "wgshow.h"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray text(reinterpret_cast<const char *>(data), qsizetype(size));
    QString error;
    WgShow::parseLatestHandshakes(text, &error);
    WgShow::parseTransfer(text, &error);
    WgShow::parseEndpoints(text, &error);
    StatusPoll::parse(text, &error);
    return 0;
}

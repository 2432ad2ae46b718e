// libFuzzer target: the wg-quick parser must never crash, and what it accepts must round-trip.
#include "wgquick.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray text(reinterpret_cast<const char *>(data), qsizetype(size));
    if (const auto config = WgQuick::parse(text)) {
        // Whatever it accepted, written and read again, is the same config.
        const auto again = WgQuick::parse(WgQuick::write(*config));
        if (!again || !(*again == *config))
            std::abort();
    }
    return 0;
}

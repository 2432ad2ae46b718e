// libFuzzer target: reading a zip must never crash nor unpack past its limits.
#include "ziparchive.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    constexpr qint64 entryLimit = 64 * 1024;
    constexpr qint64 totalLimit = 256 * 1024;
    QString error;
    if (const auto entries = ZipArchive::read(bytes, entryLimit, totalLimit, &error)) {
        qint64 total = 0;
        for (const ZipArchive::Entry &entry : *entries) {
            if (entry.data.size() > entryLimit)
                std::abort();
            total += entry.data.size();
        }
        if (total > totalLimit)
            std::abort();
    } else if (error.isEmpty()) {
        std::abort(); // a refusal always says why
    }
    return 0;
}

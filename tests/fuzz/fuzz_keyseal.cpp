// libFuzzer target: opening a sealed key store must never crash, and never open a file
// that was not sealed with its key.
#include "keyseal.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const auto key = KeySeal::SealingKey::create("fuzz", KeySeal::Parameters::weakest(), nullptr);
    static const QByteArray sealed = KeySeal::seal("private host-0 AAAA\n", *key);
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    QString error;
    if (const auto header = KeySeal::readHeader(bytes, &error)) {
        if (header->salt.size() != key->salt().size())
            std::abort();
    }
    // The fuzzer's bytes, laid over the sealed file: opened only when unchanged.
    QByteArray changed = sealed;
    for (qsizetype k = 0; k < bytes.size() && k < changed.size(); ++k)
        changed[k] = char(changed[k] ^ bytes[k]);
    const auto plain = KeySeal::open(changed, *key, &error);
    if (plain && changed != sealed)
        std::abort();
    if (!plain && changed == sealed)
        std::abort();
    return 0;
}

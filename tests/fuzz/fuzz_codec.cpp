// libFuzzer target for the protocol decoder (common/codec.cpp) and nickname checks.
//
// Every input is given to decodeClient, decodeServer and hasDuplicateKeys. Besides the
// sanitizers' own findings (ASan, UBSan, leaks), it aborts when one of these properties
// breaks:
//   - a decode either gives a value or an Error with one of the three decode codes;
//   - a decoded message survives encode -> decode unchanged, and encoding is stable
//     (encode(decode(encode(v))) gives the same bytes), for client and server messages;
//   - what the encoder writes never names a key twice, and what decodes never did;
//   - Nickname::check is idempotent on every nickname a message carries: a nick it
//     accepts is accepted again as it is, and keeps its comparison key.
// Build and run with `make fuzz` (CONFAB_FUZZ=ON, clang).

#include "common/codec.h"
#include "common/nickname.h"

#include <QByteArray>
#include <QString>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace Confab;

namespace {

[[noreturn]] void fail(const char *what, QByteArrayView input, const QByteArray &detail = {})
{
    std::fprintf(stderr, "fuzz_codec: %s\n  input:  %.*s\n", what, int(qMin<qsizetype>(input.size(), 2000)),
                 input.data());
    if (!detail.isEmpty())
        std::fprintf(stderr, "  detail: %.*s\n", int(qMin<qsizetype>(detail.size(), 2000)),
                     detail.constData());
    std::abort();
}

void checkNick(const QString &raw, QByteArrayView input)
{
    const Nickname::Checked first = Nickname::check(raw);
    if (first.ok() != first.error.isEmpty())
        fail("Nickname::check gave both or neither of nick and error", input, raw.toUtf8());
    if (!first.ok())
        return;
    const Nickname::Checked second = Nickname::check(first.nick);
    if (!second.ok() || second.nick != first.nick)
        fail("Nickname::check is not idempotent", input,
             raw.toUtf8() + " -> " + first.nick.toUtf8() + " -> " + second.nick.toUtf8());
    if (Nickname::key(first.nick) != Nickname::key(raw))
        fail("Nickname::key differs between a raw nick and its checked form", input, raw.toUtf8());
}

void checkError(const Protocol::Error &error, QByteArrayView input)
{
    using namespace Protocol::ErrorCode;
    if (error.code != QLatin1String(BadJson) && error.code != QLatin1String(BadMessage)
        && error.code != QLatin1String(UnknownType))
        fail("decode failed with an unexpected error code", input, error.code.toUtf8());
    if (error.message.isEmpty())
        fail("decode failed without a message for people", input, error.code.toUtf8());
}

// Nicknames a client message carries.
struct ClientNicks
{
    QByteArrayView input;
    void operator()(const Protocol::Hello &m) const { checkNick(m.nick, input); }
    template<typename T>
    void operator()(const T &) const { }
};

// Nicknames a server message carries.
struct ServerNicks
{
    QByteArrayView input;
    void members(const QList<Protocol::Member> &list) const
    {
        for (const Protocol::Member &m : list)
            checkNick(m.nick, input);
    }
    void messages(const QList<Protocol::ChatMessage> &list) const
    {
        for (const Protocol::ChatMessage &m : list)
            checkNick(m.from, input);
    }
    void operator()(const Protocol::Welcome &m) const
    {
        checkNick(m.nick, input);
        members(m.members);
        messages(m.history);
    }
    void operator()(const Protocol::ChatMessage &m) const { checkNick(m.from, input); }
    void operator()(const Protocol::Joined &m) const { checkNick(m.nick, input); }
    void operator()(const Protocol::Left &m) const { checkNick(m.nick, input); }
    void operator()(const Protocol::Members &m) const { members(m.members); }
    void operator()(const Protocol::HistoryPage &m) const { messages(m.messages); }
    template<typename T>
    void operator()(const T &) const { }
};

// decode(input) succeeded with `value`: it must survive encode -> decode unchanged.
template<typename Message, typename Decode>
void checkRoundTrip(const Message &value, Decode decode, QByteArrayView input, const char *side)
{
    const QByteArray encoded = Codec::encode(value);
    if (Codec::hasDuplicateKeys(encoded))
        fail(side, input, "encoder wrote a duplicate key: " + encoded);
    const auto again = decode(encoded);
    if (!again.ok())
        fail(side, input,
             "re-encoded form does not decode: " + encoded + "\n  error:  "
                 + again.error.message.toUtf8());
    if (!(*again.value == value))
        fail(side, input, "re-encoded form decodes to another value: " + encoded);
    if (Codec::encode(*again.value) != encoded)
        fail(side, input, "encoding is not stable: " + encoded);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));

    const bool duplicates = Codec::hasDuplicateKeys(input);

    const auto client = Codec::decodeClient(input);
    if (client.ok()) {
        if (duplicates)
            fail("decodeClient accepted a message that names a key twice", input);
        std::visit(ClientNicks { input }, *client.value);
        checkRoundTrip(*client.value, &Codec::decodeClient, input, "client round trip");
    } else {
        checkError(client.error, input);
    }

    const auto server = Codec::decodeServer(input);
    if (server.ok()) {
        if (duplicates)
            fail("decodeServer accepted a message that names a key twice", input);
        std::visit(ServerNicks { input }, *server.value);
        checkRoundTrip(*server.value, &Codec::decodeServer, input, "server round trip");
    } else {
        checkError(server.error, input);
    }

    // Short inputs are also tried as a nickname straight away, so the fuzzer need not
    // build a whole hello to reach the normalisation and category checks.
    if (size <= 256)
        checkNick(QString::fromUtf8(input), input);
    return 0;
}

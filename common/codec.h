#pragma once

#include "common/protocol.h"

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

// JSON text <-> protocol value types. Decoding validates everything: a value of the wrong
// JSON type, a missing field, a duplicated key or an unknown type is an Error with a stable
// code, never a half-filled message.
namespace Confab::Codec {

template<typename T>
struct Decoded
{
    std::optional<T> value;
    Protocol::Error error; // set when value is empty
    bool ok() const { return value.has_value(); }
};

QByteArray encode(const Protocol::ClientMessage &message);
QByteArray encode(const Protocol::ServerMessage &message);

Decoded<Protocol::ClientMessage> decodeClient(QByteArrayView json);
Decoded<Protocol::ServerMessage> decodeServer(QByteArrayView json);

// True when some object in this (valid) JSON text names one key twice. QJsonDocument keeps
// one of the two silently; a peer could use that to show one value and act on another.
bool hasDuplicateKeys(QByteArrayView json);

} // namespace Confab::Codec

#pragma once

#include <QString>
#include <QUrl>

// What people type to join a room: "192.168.1.20", "pc-kitchen:4000", "ws://host:port",
// "wss://host" or "[fe80::1]:4000". A missing scheme means ws://, a missing port the
// default one, so the short forms read aloud across a room just work.
namespace RoomAddress {

struct Parsed
{
    QUrl url; // ws:// or wss:// with host and port; empty when refused
    QString error; // a sentence for people when refused
    bool ok() const { return error.isEmpty(); }
};

Parsed parse(const QString &text);

} // namespace RoomAddress

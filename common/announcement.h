#pragma once

#include "common/protocol.h"

#include <QByteArray>
#include <QString>

#include <optional>

// The LAN room announcement (docs/PROTOCOL.md section 12): one small JSON object per UDP datagram,
// sent by a hosting room every couple of seconds and heard by the join dialog's room list.
// Value type and codec only; the sockets are RoomBeacon's (server) and RoomFinder's (app).
namespace Confab::Discovery {

inline constexpr int FormatVersion = 1; // the "confab" key
// Administratively scoped (RFC 2365), so routers keep it inside the site; the port is
// the room's default port plus one.
inline constexpr char GroupAddress[] = "239.255.77.77";
inline constexpr quint16 Port = 26633;
inline constexpr int IntervalMs = 2000;
// A room not heard for this long is gone: three announcements missed, and a little more.
inline constexpr int ExpiryMs = 7000;
// Anything longer is not an announcement; a real one is a few hundred bytes.
inline constexpr int MaxDatagramBytes = 1024;
inline constexpr int MaxRoomIdLength = 64;
inline constexpr int MaxMembers = 1000000;

struct Announcement
{
    QString roomId; // stable across restarts: the same room heard twice is one room
    QString room; // its name
    quint16 port = 0; // where it listens; the address is the datagram's sender
    int version = Protocol::Version; // the chat protocol it speaks
    int members = 0;
    bool password = false;
    bool tls = false; // wss://
    bool closing = false; // the last announcement: drop the room now
    friend bool operator==(const Announcement &, const Announcement &) = default;
};

QByteArray encode(const Announcement &announcement);
// Anything that is not a well-formed announcement (too big, not JSON, a wrong type, a port
// out of range, another format version) gives nullopt; it never throws or asserts.
std::optional<Announcement> decode(const QByteArray &datagram);

// A new random room id (32 hex digits).
QString newRoomId();
// 1 to MaxRoomIdLength characters of [A-Za-z0-9_-].
bool isValidRoomId(const QString &id);

} // namespace Confab::Discovery

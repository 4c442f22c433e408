#include "server/serveroptions.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <algorithm>

namespace ServerOptions {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("ServerOptions", text);
}
void addLimitOptions(QCommandLineParser &parser);
} // namespace

void addTo(QCommandLineParser &parser)
{
    parser.addOptions({
        { QStringLiteral("port"),
          tr("Port to listen on (default %1; 0 picks a free one).").arg(Confab::Protocol::DefaultPort),
          tr("N") },
        { QStringLiteral("bind"), tr("Address to listen on (default: all)."), tr("ADDR") },
        { QStringLiteral("room"), tr("The room's name."), tr("NAME") },
        { QStringLiteral("data-dir"), tr("Where the room keeps its history."), tr("DIR") },
        { QStringLiteral("tls-cert"),
          tr("Serve wss:// with this PEM certificate (and --tls-key)."), tr("FILE") },
        { QStringLiteral("tls-key"), tr("The unencrypted PEM private key for --tls-cert."),
          tr("FILE") },
        { QStringLiteral("tls-self-signed"),
          tr("Serve wss:// with a self-signed certificate kept in the data directory.") },
        { QStringLiteral("no-announce"),
          tr("Do not announce the room on the local network (it can still be joined by "
             "address).") },
        { QStringLiteral("history-limit"),
          tr("Messages kept in history (default %1).").arg(Confab::Limits::DefaultHistoryLimit),
          tr("N") },
    });
    addLimitOptions(parser);
}

namespace {

// Reads a whole-number option within [min, max]; false (with p.error set) when it is not.
bool readInt(const QCommandLineParser &parser, const char *name, qint64 min, qint64 max,
             qint64 *out, Parsed &p)
{
    const QString key = QLatin1String(name);
    if (!parser.isSet(key))
        return true;
    bool ok = false;
    const qint64 value = parser.value(key).toLongLong(&ok);
    if (!ok || value < min || value > max) {
        p.error = tr("--%1 takes a whole number from %2 to %3, not \"%4\".")
                      .arg(key)
                      .arg(min)
                      .arg(max)
                      .arg(parser.value(key));
        return false;
    }
    *out = value;
    return true;
}

void addLimitOptions(QCommandLineParser &parser)
{
    const ServerConfig d;
    parser.addOptions({
        { QStringLiteral("max-clients"),
          tr("Connections the room accepts in total (default %1).").arg(d.maxClients), tr("N") },
        { QStringLiteral("max-per-address"),
          tr("Connections from one IP address (default %1).").arg(d.maxPerAddress), tr("N") },
        { QStringLiteral("max-rate"),
          tr("Chat messages per second per client, after a burst of %1 (default %2; 0: no "
             "limit).")
              .arg(d.rateBurst)
              .arg(d.maxRate),
          tr("N") },
        { QStringLiteral("max-text"),
          tr("Characters in one chat message (default %1).").arg(d.maxTextLength), tr("N") },
        { QStringLiteral("max-frame"),
          tr("Bytes in one WebSocket frame or message (default %1).").arg(d.maxFrameBytes),
          tr("BYTES") },
        { QStringLiteral("max-unsent"),
          tr("Bytes waiting for a client that does not read before it is dropped (default %1).")
              .arg(d.maxSendBufferBytes),
          tr("BYTES") },
        { QStringLiteral("idle-timeout"),
          tr("Seconds of silence before a client is dropped; it is pinged first (default %1).")
              .arg(d.idleTimeoutMs / 1000),
          tr("S") },
        { QStringLiteral("allow-origin"),
          tr("A web page origin allowed to connect besides the room's own (repeatable; * for "
             "any, null for local files)."),
          tr("ORIGIN") },
        { QStringLiteral("password-file"),
          tr("A file whose first line is the room's password."), tr("FILE") },
        { QStringLiteral("max-file-size"),
          tr("Bytes in one shared file (default %1).").arg(d.maxFileSize), tr("BYTES") },
        { QStringLiteral("max-storage"),
          tr("Bytes of shared files the room keeps in all (default %1).").arg(d.maxStorage),
          tr("BYTES") },
    });
}

bool readLimitOptions(const QCommandLineParser &parser, Parsed &p)
{
    ServerConfig &c = p.config;
    qint64 v = c.maxClients;
    if (!readInt(parser, "max-clients", 1, 1000000, &v, p))
        return false;
    c.maxClients = int(v);
    v = c.maxPerAddress;
    if (!readInt(parser, "max-per-address", 1, 1000000, &v, p))
        return false;
    c.maxPerAddress = int(v);
    v = qint64(c.maxRate);
    if (!readInt(parser, "max-rate", 0, 1000000, &v, p))
        return false;
    c.maxRate = double(v);
    v = c.maxTextLength;
    if (!readInt(parser, "max-text", 1, 16000, &v, p))
        return false;
    c.maxTextLength = int(v);
    v = qint64(c.maxFrameBytes);
    if (!readInt(parser, "max-frame", 1024, 256 * 1024, &v, p))
        return false;
    c.maxFrameBytes = c.maxMessageBytes = quint64(v);
    v = c.maxSendBufferBytes;
    if (!readInt(parser, "max-unsent", 64 * 1024, qint64(1) << 30, &v, p))
        return false;
    c.maxSendBufferBytes = v;
    v = c.idleTimeoutMs / 1000;
    if (!readInt(parser, "idle-timeout", 5, 86400, &v, p))
        return false;
    c.idleTimeoutMs = int(v * 1000);
    c.pingIntervalMs = std::min(c.pingIntervalMs, c.idleTimeoutMs / 2);
    v = c.maxFileSize;
    if (!readInt(parser, "max-file-size", 0, qint64(1) << 40, &v, p))
        return false;
    c.maxFileSize = v;
    v = c.maxStorage;
    if (!readInt(parser, "max-storage", 0, qint64(1) << 50, &v, p))
        return false;
    c.maxStorage = v;
    if (c.maxRate <= 0)
        c.fileChunkRate = 0;
    c.allowedOrigins = parser.values(QStringLiteral("allow-origin"));
    if (parser.isSet(QStringLiteral("password-file"))) {
        c.password = RoomPassword::fromFile(parser.value(QStringLiteral("password-file")), &p.error);
        if (!c.password.isSet())
            return false;
    }
    return true;
}

} // namespace

Parsed read(const QCommandLineParser &parser)
{
    Parsed p;
    if (!readLimitOptions(parser, p))
        return p;
    if (parser.isSet(QStringLiteral("port"))) {
        bool ok = false;
        const uint port = parser.value(QStringLiteral("port")).toUInt(&ok);
        if (!ok || port > 65535) {
            p.error = tr("--port takes a number from 0 to 65535, not \"%1\".")
                          .arg(parser.value(QStringLiteral("port")));
            return p;
        }
        p.config.port = quint16(port);
    }
    if (parser.isSet(QStringLiteral("bind"))) {
        const QString text = parser.value(QStringLiteral("bind"));
        QHostAddress address;
        if (text == QLatin1String("localhost"))
            address = QHostAddress::LocalHost;
        else if (!address.setAddress(text)) {
            p.error = tr("--bind takes an IP address such as 0.0.0.0 or 127.0.0.1, not \"%1\".")
                          .arg(text);
            return p;
        }
        p.config.bindAddress = address;
    }
    if (parser.isSet(QStringLiteral("room"))) {
        const QString room = parser.value(QStringLiteral("room")).trimmed();
        if (room.isEmpty() || room.size() > Confab::Limits::MaxRoomNameLength) {
            p.error = tr("--room takes a name of 1 to %1 characters.")
                          .arg(Confab::Limits::MaxRoomNameLength);
            return p;
        }
        p.config.roomName = room;
    }
    if (parser.isSet(QStringLiteral("data-dir")))
        p.config.dataDir = parser.value(QStringLiteral("data-dir"));
    if (parser.isSet(QStringLiteral("history-limit"))) {
        bool ok = false;
        const int limit = parser.value(QStringLiteral("history-limit")).toInt(&ok);
        if (!ok || limit < 1) {
            p.error = tr("--history-limit takes a number of messages, at least 1.");
            return p;
        }
        p.config.historyLimit = limit;
    }
    const bool hasCert = parser.isSet(QStringLiteral("tls-cert"));
    const bool hasKey = parser.isSet(QStringLiteral("tls-key"));
    if (hasCert != hasKey) {
        p.error = hasCert ? tr("--tls-cert needs --tls-key with the certificate's private key.")
                          : tr("--tls-key needs --tls-cert with the key's certificate.");
        return p;
    }
    if (hasCert && parser.isSet(QStringLiteral("tls-self-signed"))) {
        p.error = tr("Give either --tls-cert and --tls-key, or --tls-self-signed, not both.");
        return p;
    }
    if (hasCert) {
        p.config.tlsCertFile = parser.value(QStringLiteral("tls-cert"));
        p.config.tlsKeyFile = parser.value(QStringLiteral("tls-key"));
        if (p.config.tlsCertFile.isEmpty() || p.config.tlsKeyFile.isEmpty()) {
            p.error = tr("--tls-cert and --tls-key take file names.");
            return p;
        }
    }
    p.config.tlsSelfSigned = parser.isSet(QStringLiteral("tls-self-signed"));
    p.config.announce = !parser.isSet(QStringLiteral("no-announce"));
    return p;
}

} // namespace ServerOptions

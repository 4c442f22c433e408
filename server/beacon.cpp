#include "server/beacon.h"

#include "server/room.h"

#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QNetworkDatagram>
#include <QNetworkInterface>
#include <QSaveFile>
#include <QUdpSocket>

Q_LOGGING_CATEGORY(lcBeacon, "confab.beacon")

using namespace Confab;

namespace {

struct Destination
{
    QHostAddress address;
    quint16 port = 0;
    QNetworkInterface interface; // for the multicast group: which interface it leaves by
};

bool isWildcard(const QHostAddress &address)
{
    return address == QHostAddress(QHostAddress::Any)
        || address == QHostAddress(QHostAddress::AnyIPv4)
        || address == QHostAddress(QHostAddress::AnyIPv6) || address.isNull();
}

// Where one round goes: the group on every interface that is up and can multicast, and
// every IPv4 broadcast address; only the bound address's interface when bound to one.
QList<Destination> lanDestinations(const QHostAddress &bound)
{
    const QHostAddress group(QString::fromLatin1(Discovery::GroupAddress));
    QList<Destination> out;
    const auto interfaces = QNetworkInterface::allInterfaces();
    for (const QNetworkInterface &iface : interfaces) {
        const auto flags = iface.flags();
        if (!flags.testFlag(QNetworkInterface::IsUp)
            || !flags.testFlag(QNetworkInterface::IsRunning))
            continue;
        const auto entries = iface.addressEntries();
        bool hasIPv4 = false;
        bool hasBound = isWildcard(bound);
        for (const QNetworkAddressEntry &entry : entries) {
            hasIPv4 = hasIPv4 || entry.ip().protocol() == QAbstractSocket::IPv4Protocol;
            hasBound = hasBound || entry.ip().isEqual(bound, QHostAddress::TolerantConversion);
        }
        if (!hasIPv4 || !hasBound)
            continue;
        if (flags.testFlag(QNetworkInterface::CanMulticast))
            out.append({ group, Discovery::Port, iface });
        if (!flags.testFlag(QNetworkInterface::CanBroadcast))
            continue;
        for (const QNetworkAddressEntry &entry : entries) {
            if (entry.ip().protocol() == QAbstractSocket::IPv4Protocol
                && !entry.broadcast().isNull())
                out.append({ entry.broadcast(), Discovery::Port, {} });
        }
    }
    return out;
}

} // namespace

RoomBeacon::RoomBeacon(Room *room, const QString &roomId, quint16 port, bool tls, QObject *parent)
    : QObject(parent)
    , m_room(room)
    , m_socket(new QUdpSocket(this))
{
    const ServerConfig &config = room->config();
    m_bindAddress = config.bindAddress;
    m_fixedTargets = config.announceTargets;
    m_announcement.roomId = roomId;
    m_announcement.room = room->name();
    m_announcement.port = port;
    m_announcement.password = config.password.isSet();
    m_announcement.tls = tls;
    m_timer.setInterval(config.announceIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &RoomBeacon::announce);
}

RoomBeacon::~RoomBeacon()
{
    stop();
}

void RoomBeacon::start()
{
    if (m_timer.isActive())
        return;
    if (m_socket->state() != QAbstractSocket::BoundState) {
        if (!m_socket->bind(QHostAddress::AnyIPv4, 0))
            logOnce(QStringLiteral("bind"), m_socket->errorString());
        // One hop: the announcement is for this network only. Looped back, so other Confab
        // windows on this machine hear the room too.
        m_socket->setSocketOption(QAbstractSocket::MulticastTtlOption, 1);
        m_socket->setSocketOption(QAbstractSocket::MulticastLoopbackOption, 1);
    }
    m_announcement.closing = false;
    m_timer.start();
    announce();
}

void RoomBeacon::stop(Farewell farewell)
{
    if (!m_timer.isActive())
        return;
    m_timer.stop();
    if (farewell == Farewell::Send) {
        m_announcement.closing = true;
        announce();
    }
}

void RoomBeacon::announce()
{
    if (m_room)
        m_announcement.members = m_room->memberCount();
    const QByteArray datagram = Discovery::encode(m_announcement);

    QList<Destination> destinations;
    if (!m_fixedTargets.isEmpty()) {
        for (const Target &t : std::as_const(m_fixedTargets))
            destinations.append({ t.first, t.second, {} });
    } else {
        destinations = lanDestinations(m_bindAddress);
        if (!destinations.isEmpty() && !m_logged.contains(QStringLiteral("announcing"))) {
            m_logged.insert(QStringLiteral("announcing"));
            qCInfo(lcBeacon).noquote()
                << "announcing the room on the local network (group" << Discovery::GroupAddress
                << "port" << Discovery::Port << "every" << m_timer.interval()
                << "ms; --no-announce to stop)";
        }
        // Usual for a room bound to loopback, which no other machine could join anyway.
        if (destinations.isEmpty() && !m_logged.contains(QStringLiteral("nowhere"))) {
            m_logged.insert(QStringLiteral("nowhere"));
            qCInfo(lcBeacon).noquote()
                << "no network interface to announce the room on (bound to"
                << m_bindAddress.toString() + QLatin1String("); it can still be joined by address");
        }
    }
    for (const Destination &d : std::as_const(destinations)) {
        if (d.interface.isValid())
            m_socket->setMulticastInterface(d.interface);
        if (m_socket->writeDatagram(datagram, d.address, d.port) < 0) {
            const QString where = d.interface.isValid()
                ? d.address.toString() + QLatin1String(" on ") + d.interface.name()
                : d.address.toString();
            logOnce(where,
                    tr("Cannot announce the room to %1 port %2: %3")
                        .arg(where)
                        .arg(d.port)
                        .arg(m_socket->errorString()));
        }
    }
    ++m_sent;
    Q_EMIT announced();
}

void RoomBeacon::logOnce(const QString &key, const QString &sentence)
{
    if (m_logged.contains(key))
        return;
    m_logged.insert(key);
    qCWarning(lcBeacon).noquote() << sentence;
}

QString RoomBeacon::loadRoomId(const QString &dataDir, QString *error)
{
    const QString path = QDir(dataDir).filePath(QStringLiteral("room-id"));
    QFile file(path);
    if (file.open(QIODevice::ReadOnly)) {
        const QString id = QString::fromLatin1(file.read(256)).trimmed();
        if (Discovery::isValidRoomId(id))
            return id;
    }
    const QString id = Discovery::newRoomId();
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly) || out.write(id.toLatin1() + '\n') < 0 || !out.commit()) {
        if (error)
            *error = tr("Cannot keep the room's id in %1: %2").arg(path, out.errorString());
    }
    return id;
}

#include "app/core/roomfinder.h"

#include "app/core/roomlistmodel.h"

#include <QLoggingCategory>
#include <QNetworkDatagram>
#include <QNetworkInterface>
#include <QUdpSocket>

#include <algorithm>

Q_LOGGING_CATEGORY(lcFinder, "confab.finder")

RoomFinder::RoomFinder(QObject *parent)
    : RoomFinder(Settings(), parent)
{ }

RoomFinder::RoomFinder(const Settings &settings, QObject *parent)
    : QObject(parent)
    , m_settings(settings)
    , m_socket(new QUdpSocket(this))
    , m_rooms(new RoomListModel(this))
{
    connect(m_socket, &QUdpSocket::readyRead, this, &RoomFinder::onReadyRead);
    connect(m_rooms, &RoomListModel::roomFound, this, &RoomFinder::roomFound);
    connect(m_rooms, &RoomListModel::roomLost, this, &RoomFinder::roomLost);
    // Checked a few times per expiry period, so a silent room goes within about a quarter
    // of it after its time is up.
    m_expiryTimer.setInterval(std::max(50, m_settings.expiryMs / 4));
    connect(&m_expiryTimer, &QTimer::timeout, this,
            [this] { m_rooms->expire(m_clock.elapsed(), m_settings.expiryMs); });
    // A laptop that joins a network after the window opened should see its rooms.
    m_interfaceTimer.setInterval(10000);
    connect(&m_interfaceTimer, &QTimer::timeout, this, &RoomFinder::joinGroup);
}

RoomFinder::~RoomFinder() = default;

bool RoomFinder::start()
{
    if (isListening())
        return true;
    m_error.clear();
    if (!m_socket->bind(m_settings.bindAddress, m_settings.port,
                        QUdpSocket::ShareAddress | QUdpSocket::ReuseAddressHint)) {
        m_error = tr("Cannot listen for rooms on UDP port %1: %2")
                      .arg(m_settings.port)
                      .arg(m_socket->errorString());
        return false;
    }
    m_clock.start();
    m_joined.clear();
    joinGroup();
    m_expiryTimer.start();
    if (!m_settings.group.isNull())
        m_interfaceTimer.start();
    return true;
}

void RoomFinder::stop()
{
    m_expiryTimer.stop();
    m_interfaceTimer.stop();
    m_socket->close();
    m_joined.clear();
    m_rooms->clear();
}

bool RoomFinder::isListening() const
{
    return m_socket->state() == QAbstractSocket::BoundState;
}

quint16 RoomFinder::port() const
{
    return m_socket->localPort();
}

void RoomFinder::joinGroup()
{
    if (m_settings.group.isNull() || !isListening())
        return;
    const auto interfaces = QNetworkInterface::allInterfaces();
    for (const QNetworkInterface &iface : interfaces) {
        const auto flags = iface.flags();
        if (!flags.testFlag(QNetworkInterface::IsUp)
            || !flags.testFlag(QNetworkInterface::CanMulticast) || m_joined.contains(iface.index()))
            continue;
        const auto entries = iface.addressEntries();
        const bool hasIPv4
            = std::any_of(entries.begin(), entries.end(), [](const QNetworkAddressEntry &e) {
                  return e.ip().protocol() == QAbstractSocket::IPv4Protocol;
              });
        if (!hasIPv4)
            continue;
        if (m_socket->joinMulticastGroup(m_settings.group, iface))
            m_joined.insert(iface.index());
        else
            qCInfo(lcFinder).noquote() << "cannot hear room announcements on" << iface.name()
                                       << "by multicast:" << m_socket->errorString();
    }
}

void RoomFinder::onReadyRead()
{
    // Bounded: a flood of datagrams is read in slices, so the event loop keeps turning.
    for (int i = 0; i < 256 && m_socket->hasPendingDatagrams(); ++i) {
        if (m_socket->pendingDatagramSize() > Confab::Discovery::MaxDatagramBytes) {
            m_socket->receiveDatagram(0); // drop it unread
            ++m_ignored;
            continue;
        }
        const QNetworkDatagram datagram
            = m_socket->receiveDatagram(Confab::Discovery::MaxDatagramBytes);
        const auto announcement = Confab::Discovery::decode(datagram.data());
        if (!announcement || datagram.senderAddress().isNull()) {
            ++m_ignored;
            continue;
        }
        m_rooms->heard(*announcement, datagram.senderAddress(), m_clock.elapsed());
    }
    if (m_socket->hasPendingDatagrams())
        QMetaObject::invokeMethod(this, &RoomFinder::onReadyRead, Qt::QueuedConnection);
}

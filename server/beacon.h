#pragma once

#include "common/announcement.h"

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QSet>
#include <QTimer>

class QUdpSocket;
class Room;

// Tells the local network that a room is here: every couple of seconds one small JSON
// datagram (common/announcement.h, docs/PROTOCOL.md section 12) to the multicast group 239.255.77.77
// port 26633 on each interface that can multicast, and to each interface's broadcast
// address for networks that drop multicast. A room bound to one address is announced only
// on that address's interface (one bound to loopback stays on loopback). stop() and
// destruction send a last "closing" announcement so room lists drop it at once.
// A UDP error never stops the room: it is logged once and the next round tries again.
class RoomBeacon final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RoomBeacon)

public:
    using Target = QPair<QHostAddress, quint16>;

    // Announces `room` (name, password, bind address, interval and targets from its
    // config) as listening on `port`; the member count is read from the room each round.
    RoomBeacon(Room *room, const QString &roomId, quint16 port, bool tls,
               QObject *parent = nullptr);
    ~RoomBeacon() override;

    void start();
    enum class Farewell { Send, Skip };
    // Stops announcing; with Farewell::Send (the default) one last "closing" goes out.
    void stop(Farewell farewell = Farewell::Send);
    bool isRunning() const { return m_timer.isActive(); }

    QString roomId() const { return m_announcement.roomId; }
    // Replaces the multicast group and broadcast addresses with these (for tests).
    void setTargets(const QList<Target> &targets) { m_fixedTargets = targets; }
    void setInterval(int ms) { m_timer.setInterval(ms); }
    int announcementCount() const { return m_sent; }

    // The room id kept in DATA-DIR/room-id, made on first use. If it cannot be kept, a new
    // one for this run (*error says why): the room then looks new after a restart.
    static QString loadRoomId(const QString &dataDir, QString *error = nullptr);

Q_SIGNALS:
    void announced(); // after each round

private:
    void announce();
    void logOnce(const QString &key, const QString &sentence);

    QPointer<Room> m_room;
    QHostAddress m_bindAddress;
    Confab::Discovery::Announcement m_announcement;
    QList<Target> m_fixedTargets;
    QUdpSocket *m_socket;
    QTimer m_timer;
    QSet<QString> m_logged;
    int m_sent = 0;
};

#pragma once

#include "common/announcement.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QObject>
#include <QSet>
#include <QTimer>

class QUdpSocket;
class RoomListModel;

// Listens for the rooms that RoomBeacon announces on the local network and keeps them in
// a RoomListModel for the join dialog. Binds the announcement port shared (so every Confab
// window on a machine can listen at once), joins the multicast group on each interface that
// can multicast (and on new ones as they come up), and hears subnet broadcasts as well.
// Every datagram is checked (common/announcement.h); a bad one is ignored. A room not heard
// for expiryMs (three missed rounds) is dropped, one that says "closing" at once.
class RoomFinder final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RoomFinder)

public:
    struct Settings
    {
        QHostAddress bindAddress = QHostAddress::AnyIPv4;
        quint16 port = Confab::Discovery::Port; // 0 picks a free one (tests)
        // Null: do not join a group, hear only datagrams sent to the port (tests).
        QHostAddress group = QHostAddress(QString::fromLatin1(Confab::Discovery::GroupAddress));
        int expiryMs = Confab::Discovery::ExpiryMs;
    };

    explicit RoomFinder(QObject *parent = nullptr);
    explicit RoomFinder(const Settings &settings, QObject *parent = nullptr);
    ~RoomFinder() override;

    // Starts listening. False when the port cannot be bound (errorString() says why);
    // failing to join the group on some interface is only logged.
    bool start();
    // Stops listening and empties the list.
    void stop();
    bool isListening() const;
    quint16 port() const; // the bound port, once started
    QString errorString() const { return m_error; }
    // Datagrams received and ignored as not announcements (for tests and diagnostics).
    int ignoredCount() const { return m_ignored; }

    RoomListModel *rooms() const { return m_rooms; }

Q_SIGNALS:
    void roomFound(const QString &roomId);
    void roomLost(const QString &roomId);

private:
    void onReadyRead();
    void joinGroup();

    Settings m_settings;
    QUdpSocket *m_socket;
    RoomListModel *m_rooms;
    QTimer m_expiryTimer;
    QTimer m_interfaceTimer;
    QElapsedTimer m_clock;
    QSet<int> m_joined; // interface indexes the group was joined on
    QString m_error;
    int m_ignored = 0;
};

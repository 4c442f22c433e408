#pragma once

#include <QObject>

class QTcpSocket;

// Watches a connection's raw bytes from the moment it is accepted. Qt only reports whole
// messages, so without this a peer that sends a frame header and then one byte every few
// seconds would hold its connection (and a buffer) open forever. It is connected to the
// socket's readyRead before Qt's own handlers, so it sees bytes arrive before Qt reads
// them; the session clears `partialSinceMs` whenever a whole message (or pong) is read.
// Control frames that arrive whole (a client's own WebSocket ping) are not the start of a
// message: they count as signs of life instead, since Qt reports no signal for them.
class ActivityProbe final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ActivityProbe)

public:
    explicit ActivityProbe(QTcpSocket *socket);

    qint64 partialSinceMs() const { return m_partialSinceMs; }
    qint64 lastControlMs() const { return m_lastControlMs; }
    void clearPartial() { m_partialSinceMs = -1; }

private:
    void onReadyRead();

    QTcpSocket *m_socket;
    qint64 m_partialSinceMs = -1;
    qint64 m_lastControlMs = -1;
};

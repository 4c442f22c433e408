#pragma once

#include <QObject>

class QTcpSocket;

// Watches a connection's raw bytes from the moment it is accepted. Qt only reports whole
// messages, so without this a peer that sends a frame header and then one byte every few
// seconds would hold its connection (and a buffer) open forever. It is connected to the
// socket's readyRead before Qt's own handlers, so it sees bytes arrive first; the session
// clears `partialSinceMs` whenever a whole message (or pong) has been read.
class ActivityProbe final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ActivityProbe)

public:
    explicit ActivityProbe(QTcpSocket *socket);

    qint64 partialSinceMs() const { return m_partialSinceMs; }
    void clearPartial() { m_partialSinceMs = -1; }

private:
    qint64 m_partialSinceMs = -1;
};

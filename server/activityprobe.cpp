#include "server/activityprobe.h"

#include "server/session.h"

#include <QTcpSocket>

ActivityProbe::ActivityProbe(QTcpSocket *socket) : QObject(socket)
{
    connect(socket, &QTcpSocket::readyRead, this, [this] {
        if (m_partialSinceMs < 0)
            m_partialSinceMs = Session::monotonicMs();
    });
}

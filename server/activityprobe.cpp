#include "server/activityprobe.h"

#include "server/session.h"

#include <QTcpSocket>

ActivityProbe::ActivityProbe(QTcpSocket *socket) : QObject(socket), m_socket(socket)
{
    connect(socket, &QTcpSocket::readyRead, this, &ActivityProbe::onReadyRead);
}

void ActivityProbe::onReadyRead()
{
    if (m_partialSinceMs >= 0)
        return; // a message is already under way; its clock keeps running
    // At a message boundary: skip any whole control frames at the front (FIN set, opcode
    // 0x8-0xA, at most 125 bytes of payload, masked or not).
    const QByteArray head = m_socket->peek(4096);
    qsizetype pos = 0;
    while (pos + 2 <= head.size()) {
        const quint8 b0 = quint8(head.at(pos));
        const quint8 b1 = quint8(head.at(pos + 1));
        const bool control = (b0 & 0x80) && (b0 & 0x0F) >= 0x8 && (b0 & 0x0F) <= 0xA;
        const qsizetype length = 2 + ((b1 & 0x80) ? 4 : 0) + (b1 & 0x7F);
        if (!control || (b1 & 0x7F) > 125 || pos + length > head.size())
            break;
        pos += length;
        m_lastControlMs = Session::monotonicMs();
    }
    if (pos < head.size())
        m_partialSinceMs = Session::monotonicMs();
}

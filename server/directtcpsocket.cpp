#include "server/directtcpsocket.h"

#include <QMetaObject>

#include <utility>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <sys/socket.h>
#include <sys/types.h>
#endif

DirectTcpSocket::DirectTcpSocket(QObject *parent)
    : QTcpSocket(parent)
{
    connect(this, &QTcpSocket::readyRead, this, [this] { m_qtBuffersUsed = true; });
}

DirectTcpSocket::~DirectTcpSocket() = default;

qint64 DirectTcpSocket::bytesToWrite() const
{
    return m_pending.size() + QTcpSocket::bytesToWrite();
}

qint64 DirectTcpSocket::writeData(const char *data, qint64 size)
{
    // Behind bytes Qt already holds, or when not connected: Qt's own path, unchanged.
    if (state() != ConnectedState || QTcpSocket::bytesToWrite() > 0) {
        m_qtBuffersUsed = true;
        return QTcpSocket::writeData(data, size);
    }
    m_pending.append(data, size);
    if (!m_flushQueued) {
        m_flushQueued = true;
        QMetaObject::invokeMethod(this, &DirectTcpSocket::flushPending, Qt::QueuedConnection);
    }
    return size;
}

void DirectTcpSocket::flushPending()
{
    m_flushQueued = false;
    const qsizetype sent = sendToKernel();
    // As Qt does after its own flushes (from the event loop, never inside write()):
    // whoever paces its writes on this signal (a file download) goes on.
    if (sent > 0)
        Q_EMIT bytesWritten(sent);
}

void DirectTcpSocket::sendPendingNow()
{
    const qsizetype sent = sendToKernel();
    if (sent > 0) {
        QMetaObject::invokeMethod(
            this, [this, sent] { Q_EMIT bytesWritten(sent); }, Qt::QueuedConnection);
    }
}

qsizetype DirectTcpSocket::sendToKernel()
{
    if (m_pending.isEmpty())
        return 0;
    // Swapped out first, so the bytes are released whatever happens below.
    const QByteArray pending = std::exchange(m_pending, QByteArray());
    if (state() != ConnectedState || writeChannelCount() == 0)
        return 0; // aborted meanwhile: Qt would have discarded them too
    qsizetype sent = 0;
#ifdef Q_OS_UNIX
    while (sent < pending.size()) {
        const ssize_t n = ::send(int(socketDescriptor()), pending.constData() + sent,
                                 size_t(pending.size() - sent), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            sent += n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        // EAGAIN (the kernel's buffer is full) or an error: Qt's buffer takes the rest,
        // waits for the socket to be writable, and reports errors the way it always does.
        break;
    }
#endif
    if (sent < pending.size()) {
        m_qtBuffersUsed = true;
        QTcpSocket::writeData(pending.constData() + sent, pending.size() - sent);
    }
    return sent;
}

bool DirectTcpSocket::releaseIdleBuffers()
{
    if (!m_qtBuffersUsed || state() != ConnectedState || QTcpSocket::bytesAvailable() > 0
        || QTcpSocket::bytesToWrite() > 0 || isTransactionStarted())
        return false;
    // QIODevice::open() gives the device new, empty buffers (which allocate nothing until
    // used); QAbstractSocket does not reimplement it, so the connection, its notifiers and
    // its state are untouched.
    QIODevice::open(openMode());
    m_qtBuffersUsed = false;
    return true;
}

void DirectTcpSocket::disconnectFromHost()
{
    // What is pending goes out before the FIN: Qt's disconnect waits for its own buffer.
    flushPending();
    QTcpSocket::disconnectFromHost();
}

void DirectTcpSocket::close()
{
    // abort() comes here too, with the write channel already gone: then pending bytes are
    // dropped, as Qt drops its own buffer (and Qt's buffer could not take a remainder).
    if (writeChannelCount() > 0)
        flushPending();
    else
        m_pending.clear();
    QTcpSocket::close();
}

#pragma once

#include <QByteArray>
#include <QTcpSocket>

// An accepted plain-TCP connection that keeps no buffers while it is idle.
//
// QAbstractSocket keeps a 32 KiB write chunk from its first write (the WebSocket
// handshake's answer) and a 16 KiB read chunk from its first read for the life of the
// socket, even when both are empty: with thousands of idle connections they were nearly
// all of the server's memory (docs/PERFORMANCE.md). So:
//  - whatever is written during one event-loop pass is collected in a plain QByteArray,
//    sent to the kernel in one send() when the pass is over (then bytesWritten() is
//    emitted, as after Qt's own flushes), and the QByteArray released.
//    Only what the kernel does not take goes on to Qt's own buffer, which flushes it as
//    usual (and keeps the order: while Qt holds anything, new writes queue behind it);
//  - releaseIdleBuffers(), called by the session about once a second, drops Qt's empty
//    read and write chunks (QIODevice::open() replaces the buffers; nothing else about the
//    connection changes). A socket that has read or buffered nothing since is skipped.
class DirectTcpSocket final : public QTcpSocket
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DirectTcpSocket)

public:
    explicit DirectTcpSocket(QObject *parent = nullptr);
    ~DirectTcpSocket() override;

    qint64 bytesToWrite() const override;
    void disconnectFromHost() override;
    void close() override;

    // Frees Qt's read and write chunks when both buffers are empty (and nothing is read
    // in a transaction); true if it did.
    bool releaseIdleBuffers();
    // Hands what was written this pass to the kernel now rather than at the end of the
    // pass (bytesWritten() still comes from the event loop). For a writer that has written
    // a lot in one pass and wants to know what the kernel really would not take.
    void sendPendingNow();

protected:
    qint64 writeData(const char *data, qint64 size) override;

private:
    void flushPending();
    qsizetype sendToKernel(); // sends m_pending; the rest goes to Qt's buffer; returns bytes sent

    QByteArray m_pending; // written this pass, not yet handed to the kernel
    bool m_flushQueued = false;
    bool m_qtBuffersUsed = true; // Qt may hold a chunk: read since, or written through Qt
};

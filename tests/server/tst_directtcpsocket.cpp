// DirectTcpSocket (server/directtcpsocket.h): what the room writes arrives whole and in
// order whether the kernel takes it at once or Qt's buffer has to hold the rest, pending
// bytes go out before a disconnect, and freeing the idle buffers leaves a working socket.
#include "server/directtcpserver.h"
#include "server/directtcpsocket.h"

#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

class TestDirectTcpSocket : public QObject
{
    Q_OBJECT

private:
    struct Pair
    {
        DirectTcpServer server;
        QTcpSocket client;
        DirectTcpSocket *accepted = nullptr;
    };
    // A connected pair on loopback; the accepted end is a DirectTcpSocket.
    static bool connectPair(Pair &p)
    {
        if (!p.server.listen(QHostAddress::LocalHost, 0))
            return false;
        p.client.connectToHost(QHostAddress::LocalHost, p.server.serverPort());
        if (!p.server.waitForNewConnection(5000))
            return false;
        p.accepted = qobject_cast<DirectTcpSocket *>(p.server.nextPendingConnection());
        return p.accepted && p.client.waitForConnected(5000);
    }
    static QByteArray pattern(qsizetype size, char seed)
    {
        QByteArray bytes(size, Qt::Uninitialized);
        for (qsizetype i = 0; i < size; ++i)
            bytes[i] = char(seed + i % 251);
        return bytes;
    }

private Q_SLOTS:
    void smallWritesArriveInOrder()
    {
        Pair p;
        QVERIFY(connectPair(p));
        QSignalSpy written(p.accepted, &QIODevice::bytesWritten);
        QByteArray expected;
        for (int i = 0; i < 100; ++i) {
            const QByteArray piece = QByteArray::number(i) + ',';
            QCOMPARE(p.accepted->write(piece), piece.size());
            expected += piece;
        }
        // Held until the event loop runs, and counted as unsent meanwhile.
        QCOMPARE(p.accepted->bytesToWrite(), expected.size());
        QByteArray received;
        QTRY_VERIFY((received += p.client.readAll()).size() >= expected.size());
        QCOMPARE(received, expected);
        QCOMPARE(p.accepted->bytesToWrite(), 0);
        // Whoever paces its writes on bytesWritten (a file download) hears about it.
        QVERIFY(!written.isEmpty());
    }

    void whatTheKernelRefusesWaitsInQtsBuffer()
    {
        Pair p;
        QVERIFY(connectPair(p));
        // Far more than loopback's socket buffers take while the client does not read.
        const QByteArray big = pattern(32 << 20, 'a');
        const QByteArray tail = pattern(1000, 'z');
        p.accepted->write(big);
        QTRY_VERIFY(p.accepted->bytesToWrite() < big.size()); // the kernel took a part
        QVERIFY(p.accepted->bytesToWrite() > 0); // and Qt holds the rest
        p.accepted->write(tail); // queued behind it, not sent ahead of it
        QByteArray received;
        QTRY_VERIFY_WITH_TIMEOUT(
            (received += p.client.readAll()).size() >= big.size() + tail.size(), 30000);
        QVERIFY(received == big + tail);
    }

    void pendingBytesGoOutBeforeTheDisconnect()
    {
        Pair p;
        QVERIFY(connectPair(p));
        const QByteArray goodbye = pattern(5000, 'g');
        p.accepted->write(goodbye);
        p.accepted->disconnectFromHost();
        QByteArray received;
        QTRY_VERIFY(p.client.state() == QAbstractSocket::UnconnectedState
                    || (received += p.client.readAll()).size() >= goodbye.size());
        received += p.client.readAll();
        QCOMPARE(received, goodbye);
    }

    void abortDropsWhatIsPending()
    {
        Pair p;
        QVERIFY(connectPair(p));
        // More than the kernel takes, still pending when the connection is cut (a slow
        // consumer over its bound is aborted like this): dropped, as Qt drops its buffer.
        p.accepted->write(pattern(32 << 20, 'a'));
        QSignalSpy gone(&p.client, &QAbstractSocket::disconnected);
        p.accepted->abort();
        QCOMPARE(p.accepted->state(), QAbstractSocket::UnconnectedState);
        QCOMPARE(p.accepted->bytesToWrite(), 0);
        QTRY_VERIFY(!gone.isEmpty());
    }

    void freedBuffersLeaveAWorkingSocket()
    {
        Pair p;
        QVERIFY(connectPair(p));
        QVERIFY(p.accepted->releaseIdleBuffers()); // fresh: may hold chunks
        QVERIFY(!p.accepted->releaseIdleBuffers()); // nothing used since

        p.client.write("ping");
        QTRY_COMPARE(p.accepted->bytesAvailable(), 4);
        QVERIFY(!p.accepted->releaseIdleBuffers()); // unread bytes are never dropped
        QCOMPARE(p.accepted->readAll(), QByteArray("ping"));
        QVERIFY(p.accepted->releaseIdleBuffers());

        p.client.write("again");
        QTRY_COMPARE(p.accepted->bytesAvailable(), 5);
        QCOMPARE(p.accepted->readAll(), QByteArray("again"));
        p.accepted->write("pong");
        QByteArray received;
        QTRY_COMPARE(received += p.client.readAll(), QByteArray("pong"));
        QCOMPARE(p.accepted->state(), QAbstractSocket::ConnectedState);
    }
};

QTEST_GUILESS_MAIN(TestDirectTcpSocket)
#include "tst_directtcpsocket.moc"

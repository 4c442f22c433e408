// wss:// end to end on 127.0.0.1: a room with a self-signed certificate, and ChatClients
// that pin it on first use. Chat works over TLS; the pin is trusted on reconnect; another
// certificate at the same host:port is refused for good; plain ws:// gets nowhere on the
// TLS port; a peer that never starts TLS is dropped after the handshake timeout.

#include "app/core/certificatetrust.h"
#include "app/core/chatclient.h"
#include "common/messagemodel.h"
#include "server/room.h"
#include "server/roomserver.h"
#include "server/tlsidentity.h"

#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

#include <memory>

namespace {

std::unique_ptr<RoomServer> startTlsRoom(const QString &dataDir, quint16 port = 0,
                                         int helloTimeoutMs = 10000)
{
    ServerConfig config;
    config.bindAddress = QHostAddress::LocalHost;
    config.port = port;
    config.dataDir = dataDir;
    config.tlsSelfSigned = true;
    config.helloTimeoutMs = helloTimeoutMs;
    auto server = std::make_unique<RoomServer>(config);
    if (!server->start()) {
        qWarning("room did not start: %s", qPrintable(server->errorString()));
        return nullptr;
    }
    return server;
}

QString fingerprintIn(const QString &dataDir)
{
    QString error;
    const TlsIdentity id = TlsIdentity::ensureSelfSigned(dataDir, &error);
    return CertificateTrust::fingerprint(id.certificate());
}

bool hasText(const MessageModel *model, const QString &text)
{
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row).data(MessageModel::TextRole).toString() == text)
            return true;
    }
    return false;
}

std::unique_ptr<ChatClient> makeClient(CertificateTrust *trust)
{
    auto client = std::make_unique<ChatClient>();
    client->setCertificateTrust(trust);
    client->setBackoff(Backoff(50, 200));
    return client;
}

} // namespace

class TestWss final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void chatsOverTlsAndTrustsThePinOnReconnect()
    {
        QTemporaryDir dir;
        auto server = startTlsRoom(dir.path());
        QVERIFY(server);
        const QUrl url = server->url();
        QCOMPARE(url.scheme(), QStringLiteral("wss"));
        const QString hostPort = QStringLiteral("127.0.0.1:%1").arg(server->port());

        CertificateTrust trust(CertificateTrust::memoryStore());
        auto alice = makeClient(&trust);
        QSignalSpy firstSeen(alice.get(), &ChatClient::certificateFirstSeen);
        QSignalSpy aliceErrors(alice.get(), &ChatClient::errorReceived);
        alice->open(url, QStringLiteral("alice"));
        QTRY_COMPARE(alice->state(), ChatClient::State::Joined);
        QCOMPARE(firstSeen.size(), 1);
        QCOMPARE(firstSeen.at(0).at(0).toString(), hostPort);
        QCOMPARE(firstSeen.at(0).at(1).toString(), fingerprintIn(dir.path()));
        QCOMPARE(trust.knownFingerprint(hostPort), fingerprintIn(dir.path()));

        // A second member with the same pins: trusted, nothing new to show.
        auto bob = makeClient(&trust);
        QSignalSpy bobFirstSeen(bob.get(), &ChatClient::certificateFirstSeen);
        bob->open(url, QStringLiteral("bob"));
        QTRY_COMPARE(bob->state(), ChatClient::State::Joined);
        QCOMPARE(bobFirstSeen.size(), 0);
        QCOMPARE(server->room()->memberCount(), 2);

        QSignalSpy acked(alice.get(), &ChatClient::messageAcked);
        alice->sendMessage(QStringLiteral("hello over TLS, 안녕"));
        QTRY_COMPARE(acked.size(), 1);
        QTRY_VERIFY(hasText(bob->messages(), QStringLiteral("hello over TLS, 안녕")));

        // Reconnect: the pin matches, so no first-use notice again.
        alice->close();
        QSignalSpy joined(alice.get(), &ChatClient::joined);
        alice->open(url, QStringLiteral("alice"));
        QTRY_COMPARE(joined.size(), 1);
        QCOMPARE(firstSeen.size(), 1);
        bob->sendMessage(QStringLiteral("welcome back"));
        QTRY_VERIFY(hasText(alice->messages(), QStringLiteral("welcome back")));
        QCOMPARE(aliceErrors.size(), 0);
    }

    void anotherCertificateAtTheSameAddressIsRefused()
    {
        QTemporaryDir dirA;
        QTemporaryDir dirB;
        auto server = startTlsRoom(dirA.path());
        QVERIFY(server);
        const QUrl url = server->url();
        const quint16 port = server->port();
        const QString hostPort = QStringLiteral("127.0.0.1:%1").arg(port);

        CertificateTrust trust(CertificateTrust::memoryStore());
        auto client = makeClient(&trust);
        client->open(url, QStringLiteral("alice"));
        QTRY_COMPARE(client->state(), ChatClient::State::Joined);
        client->close();
        server.reset();

        // Someone else now answers at the same host:port, with their own certificate.
        auto impostor = startTlsRoom(dirB.path(), port);
        QVERIFY(impostor);
        QCOMPARE(impostor->url(), url);
        const QString oldFp = fingerprintIn(dirA.path());
        const QString newFp = fingerprintIn(dirB.path());
        QVERIFY(oldFp != newFp);

        QSignalSpy errors(client.get(), &ChatClient::errorReceived);
        QSignalSpy joined(client.get(), &ChatClient::joined);
        QSignalSpy firstSeen(client.get(), &ChatClient::certificateFirstSeen);
        QSignalSpy reconnects(client.get(), &ChatClient::reconnectScheduled);
        client->open(url, QStringLiteral("alice"));
        QTRY_COMPARE(errors.size(), 1);
        QCOMPARE(errors.at(0).at(0).toString(), QStringLiteral("certificate-changed"));
        const QString message = errors.at(0).at(1).toString();
        QVERIFY2(message.contains(oldFp) && message.contains(newFp), qPrintable(message));
        QVERIFY(message.contains(hostPort));
        QCOMPARE(errors.at(0).at(2).toBool(), true);
        QCOMPARE(client->state(), ChatClient::State::Disconnected);
        QCOMPARE(client->errorString(), message);
        QCOMPARE(client->reconnectRemainingMs(), 0);
        QCOMPARE(reconnects.size(), 0);
        QCOMPARE(joined.size(), 0);
        QCOMPARE(firstSeen.size(), 0);
        QCOMPARE(impostor->room()->memberCount(), 0);
        // The old pin stands.
        QCOMPARE(trust.knownFingerprint(hostPort), oldFp);

        // A client that knows nothing of the first room trusts the new one on first use.
        CertificateTrust fresh(CertificateTrust::memoryStore());
        auto other = makeClient(&fresh);
        other->open(url, QStringLiteral("carol"));
        QTRY_COMPARE(other->state(), ChatClient::State::Joined);
    }

    void plainWebSocketCannotUseTheTlsPort()
    {
        QTemporaryDir dir;
        auto server = startTlsRoom(dir.path());
        QVERIFY(server);
        QUrl plain = server->url();
        plain.setScheme(QStringLiteral("ws"));

        QWebSocket socket;
        QSignalSpy connected(&socket, &QWebSocket::connected);
        QSignalSpy disconnected(&socket, &QWebSocket::disconnected);
        socket.open(plain);
        QTRY_VERIFY(disconnected.size() >= 1);
        QCOMPARE(connected.size(), 0);
        QCOMPARE(server->room()->memberCount(), 0);

        // ChatClient too: it never joins, it only schedules retries.
        CertificateTrust trust(CertificateTrust::memoryStore());
        auto client = makeClient(&trust);
        QSignalSpy reconnects(client.get(), &ChatClient::reconnectScheduled);
        client->open(plain, QStringLiteral("alice"));
        QTRY_VERIFY(reconnects.size() >= 2);
        QVERIFY(client->state() != ChatClient::State::Joined);
        QCOMPARE(trust.knownFingerprint(CertificateTrust::hostPort(server->url())), QString());
    }

    void withoutTrustSelfSignedIsNotAccepted()
    {
        QTemporaryDir dir;
        auto server = startTlsRoom(dir.path());
        QVERIFY(server);
        auto client = makeClient(nullptr);
        QSignalSpy errors(client.get(), &ChatClient::errorReceived);
        QSignalSpy reconnects(client.get(), &ChatClient::reconnectScheduled);
        client->open(server->url(), QStringLiteral("alice"));
        QTRY_VERIFY(reconnects.size() >= 1);
        QVERIFY(errors.size() >= 1);
        QCOMPARE(errors.at(0).at(0).toString(), QStringLiteral("certificate-untrusted"));
        QCOMPARE(errors.at(0).at(2).toBool(), false);
        QVERIFY(client->state() != ChatClient::State::Joined);
        QCOMPARE(server->room()->memberCount(), 0);
    }

    void silentPeerIsDroppedAfterTheHandshakeTimeout()
    {
        QTemporaryDir dir;
        auto server = startTlsRoom(dir.path(), 0, 300);
        QVERIFY(server);
        QTcpSocket socket;
        QSignalSpy disconnected(&socket, &QTcpSocket::disconnected);
        socket.connectToHost(QHostAddress::LocalHost, server->port());
        QVERIFY(socket.waitForConnected(5000));
        QTRY_COMPARE_WITH_TIMEOUT(disconnected.size(), 1, 5000);
    }
};

QTEST_GUILESS_MAIN(TestWss)
#include "tst_wss.moc"

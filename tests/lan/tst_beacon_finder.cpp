// RoomBeacon -> RoomFinder: a hosting room is heard, listed once, and dropped when it
// closes or falls silent; datagrams that are not announcements change nothing.
// Everything goes to loopback ports, except the last test, which uses the real multicast
// group inside a network namespace of its own (needs root; skipped otherwise).

#include "app/core/chatclient.h"
#include "app/core/roomfinder.h"
#include "app/core/roomlistmodel.h"
#include "common/announcement.h"
#include "server/beacon.h"
#include "server/roomserver.h"
#include "server/serveroptions.h"

#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QNetworkInterface>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

#include <memory>

#include <sched.h>

using Confab::Discovery::Announcement;

namespace {

RoomFinder::Settings loopbackFinder(int expiryMs)
{
    RoomFinder::Settings s;
    s.bindAddress = QHostAddress::LocalHost;
    s.port = 0;
    s.group = QHostAddress();
    s.expiryMs = expiryMs;
    return s;
}

ServerConfig announcingConfig(const QString &dataDir, quint16 finderPort, const QString &name)
{
    ServerConfig config;
    config.bindAddress = QHostAddress::LocalHost;
    config.port = 0;
    config.dataDir = dataDir;
    config.roomName = name;
    config.announceTargets = { { QHostAddress(QHostAddress::LocalHost), finderPort } };
    config.announceIntervalMs = 100;
    return config;
}

void sendFrom(const QHostAddress &from, const QByteArray &datagram, quint16 port)
{
    QUdpSocket socket;
    QVERIFY2(socket.bind(from, 0), qPrintable(socket.errorString()));
    QCOMPARE(socket.writeDatagram(datagram, QHostAddress::LocalHost, port), datagram.size());
}

QVariant roomData(const RoomFinder &finder, int row, int role)
{
    return finder.rooms()->index(row).data(role);
}

} // namespace

class TestBeaconFinder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void codecRoundTrip();
    void codecRefuses_data();
    void codecRefuses();
    void modelPrefersLanAddressAndExpiresPerAddress();
    void serverIsHeard();
    void sameRoomFromAnotherAddressIsOneRow();
    void closingRemovesAtOnce();
    void silentRoomExpires();
    void garbageIsIgnored();
    void roomIdSurvivesRestart();
    void noAnnounceOption();
    // Last: it moves this process into a network namespace of its own.
    void multicastInPrivateNetworkNamespace();
};

void TestBeaconFinder::codecRoundTrip()
{
    Announcement a;
    a.roomId = Confab::Discovery::newRoomId();
    a.room = QStringLiteral("부엌 Kitchen");
    a.port = 26632;
    a.members = 3;
    a.password = true;
    a.tls = true;
    const QByteArray bytes = Confab::Discovery::encode(a);
    QVERIFY(bytes.size() < 300);
    QCOMPARE(Confab::Discovery::decode(bytes), a);
    a.closing = true;
    QCOMPARE(Confab::Discovery::decode(Confab::Discovery::encode(a)), a);
    QVERIFY(Confab::Discovery::isValidRoomId(a.roomId));
    // The example in docs/PROTOCOL.md §12, byte for byte.
    Announcement doc;
    doc.roomId = QStringLiteral("9f0c3e5a1b7d4c2e8a6f0b1d3c5e7a90");
    doc.room = QStringLiteral("Kitchen");
    doc.port = 26632;
    doc.members = 2;
    QCOMPARE(
        Confab::Discovery::encode(doc),
        QByteArray(
            R"({"confab":1,"members":2,"password":false,"port":26632,"room":"Kitchen","roomId":"9f0c3e5a1b7d4c2e8a6f0b1d3c5e7a90","tls":false,"version":1})"));
    // Unknown keys are for later versions and do not spoil the rest.
    QVERIFY(Confab::Discovery::decode(
        R"({"confab":1,"roomId":"r1","room":"A","port":1,"version":1,"members":0,"password":false,"tls":false,"later":[1]})"));
}

void TestBeaconFinder::codecRefuses_data()
{
    QTest::addColumn<QByteArray>("datagram");
    const QByteArray good
        = R"({"confab":1,"roomId":"r1","room":"A","port":4000,"version":1,"members":0,"password":false,"tls":false})";
    QVERIFY(Confab::Discovery::decode(good));
    const auto with = [&](const char *key, const QByteArray &value) {
        QByteArray b = good;
        const QByteArray k = QByteArray("\"") + key + "\":";
        const qsizetype at = b.indexOf(k) + k.size();
        const qsizetype end = b.indexOf(',', at) < 0 ? b.indexOf('}', at) : b.indexOf(',', at);
        return b.replace(at, end - at, value);
    };
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("not json") << QByteArray("confab room A");
    QTest::newRow("array") << QByteArray("[1,2,3]");
    QTest::newRow("binary") << QByteArray("\x00\xff\xfe{\x01", 5);
    QTest::newRow("too big") << QByteArray(good).insert(
        1, "\"pad\":\"" + QByteArray(1100, 'x') + "\",");
    QTest::newRow("other format") << with("confab", "2");
    QTest::newRow("format as text") << with("confab", "\"1\"");
    QTest::newRow("room id missing") << QByteArray(good).replace("\"roomId\":\"r1\",", "");
    QTest::newRow("room id number") << with("roomId", "17");
    QTest::newRow("room id odd") << with("roomId", "\"a/b\"");
    QTest::newRow("room id long") << with("roomId", '"' + QByteArray(65, 'a') + '"');
    QTest::newRow("room empty") << with("room", "\"  \"");
    QTest::newRow("room control") << with("room", "\"A\\u001b[2J\"");
    QTest::newRow("room long") << with("room", '"' + QByteArray(65, 'r') + '"');
    QTest::newRow("port 0") << with("port", "0");
    QTest::newRow("port big") << with("port", "65536");
    QTest::newRow("port fraction") << with("port", "80.5");
    QTest::newRow("port text") << with("port", "\"80\"");
    QTest::newRow("port negative") << with("port", "-1");
    QTest::newRow("members negative") << with("members", "-1");
    QTest::newRow("members huge") << with("members", "1e300");
    QTest::newRow("version 0") << with("version", "0");
    QTest::newRow("password text") << with("password", "\"no\"");
    QTest::newRow("tls null") << with("tls", "null");
    QTest::newRow("closing number") << QByteArray(good).replace("}", ",\"closing\":1}");
}

void TestBeaconFinder::codecRefuses()
{
    QFETCH(QByteArray, datagram);
    QVERIFY(!Confab::Discovery::decode(datagram));
}

void TestBeaconFinder::modelPrefersLanAddressAndExpiresPerAddress()
{
    RoomListModel model;
    QSignalSpy found(&model, &RoomListModel::roomFound);
    QSignalSpy lost(&model, &RoomListModel::roomLost);
    Announcement a;
    a.roomId = QStringLiteral("room-1");
    a.room = QStringLiteral("Kitchen");
    a.port = 4000;
    model.heard(a, QHostAddress(QStringLiteral("127.0.0.1")), 0);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(found.size(), 1);
    const QModelIndex row = model.index(0);
    QCOMPARE(row.data(RoomListModel::AddressRole).toString(), QStringLiteral("127.0.0.1:4000"));
    // The same room by way of the LAN, as from a dual-stack socket: one row, LAN first.
    model.heard(a, QHostAddress(QStringLiteral("::ffff:192.168.1.20")), 100);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(found.size(), 1);
    QCOMPARE(row.data(RoomListModel::AddressRole).toString(), QStringLiteral("192.168.1.20:4000"));
    QCOMPARE(row.data(RoomListModel::UrlRole).toUrl(),
             QUrl(QStringLiteral("ws://192.168.1.20:4000")));
    QCOMPARE(
        row.data(RoomListModel::AddressesRole).toStringList(),
        QStringList({ QStringLiteral("192.168.1.20:4000"), QStringLiteral("127.0.0.1:4000") }));
    // Loopback heard again, later: the LAN address still comes first.
    model.heard(a, QHostAddress(QStringLiteral("127.0.0.1")), 2000);
    QCOMPARE(row.data(RoomListModel::AddressRole).toString(), QStringLiteral("192.168.1.20:4000"));
    // The LAN address falls silent: it goes, the room stays by the other.
    model.expire(7500, 7000);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(row.data(RoomListModel::AddressRole).toString(), QStringLiteral("127.0.0.1:4000"));
    // Details follow the latest announcement.
    a.members = 5;
    a.tls = true;
    model.heard(a, QHostAddress(QStringLiteral("127.0.0.1")), 8000);
    QCOMPARE(row.data(RoomListModel::MembersRole).toInt(), 5);
    QCOMPARE(row.data(RoomListModel::UrlRole).toUrl(),
             QUrl(QStringLiteral("wss://127.0.0.1:4000")));
    QCOMPARE(row.data(Qt::DisplayRole).toString(), QStringLiteral("Kitchen"));
    QVERIFY(row.data(RoomListModel::LastSeenRole).toDateTime().isValid());
    model.expire(15001, 7000);
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(lost.size(), 1);
    QCOMPARE(lost.first().first().toString(), QStringLiteral("room-1"));
}

void TestBeaconFinder::serverIsHeard()
{
    RoomFinder finder(loopbackFinder(2000));
    QVERIFY2(finder.start(), qPrintable(finder.errorString()));
    QTemporaryDir dir;
    RoomServer server(announcingConfig(dir.path(), finder.port(), QStringLiteral("Kitchen")));
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    QVERIFY(server.beacon());

    QTRY_COMPARE(finder.rooms()->rowCount(), 1);
    QCOMPARE(roomData(finder, 0, RoomListModel::NameRole).toString(), QStringLiteral("Kitchen"));
    QCOMPARE(roomData(finder, 0, RoomListModel::AddressRole).toString(),
             QStringLiteral("127.0.0.1:%1").arg(server.port()));
    QCOMPARE(roomData(finder, 0, RoomListModel::UrlRole).toUrl(), server.url());
    QCOMPARE(roomData(finder, 0, RoomListModel::RoomIdRole).toString(), server.beacon()->roomId());
    QCOMPARE(roomData(finder, 0, RoomListModel::MembersRole).toInt(), 0);
    QCOMPARE(roomData(finder, 0, RoomListModel::PasswordRole).toBool(), false);
    QCOMPARE(roomData(finder, 0, RoomListModel::TlsRole).toBool(), false);
    QCOMPARE(roomData(finder, 0, RoomListModel::VersionRole).toInt(), Confab::Protocol::Version);

    // The member count follows the room.
    ChatClient client;
    client.open(server.url(), QStringLiteral("Ada"));
    QTRY_COMPARE(client.state(), ChatClient::State::Joined);
    QTRY_COMPARE(roomData(finder, 0, RoomListModel::MembersRole).toInt(), 1);
    QCOMPARE(finder.rooms()->rowCount(), 1);
    QCOMPARE(finder.ignoredCount(), 0);
}

void TestBeaconFinder::sameRoomFromAnotherAddressIsOneRow()
{
    RoomFinder finder(loopbackFinder(2000));
    QVERIFY(finder.start());
    QTemporaryDir dir;
    RoomServer server(announcingConfig(dir.path(), finder.port(), QStringLiteral("Attic")));
    QVERIFY(server.start());
    QTRY_COMPARE(finder.rooms()->rowCount(), 1);

    // What a second interface would deliver: the same room id from another address.
    Announcement a;
    a.roomId = server.beacon()->roomId();
    a.room = QStringLiteral("Attic");
    a.port = server.port();
    sendFrom(QHostAddress(QStringLiteral("127.0.0.2")), Confab::Discovery::encode(a),
             finder.port());
    QTRY_COMPARE(roomData(finder, 0, RoomListModel::AddressesRole).toStringList().size(), 2);
    QCOMPARE(finder.rooms()->rowCount(), 1);
    QVERIFY(roomData(finder, 0, RoomListModel::AddressesRole)
                .toStringList()
                .contains(QStringLiteral("127.0.0.2:%1").arg(server.port())));

    // A different room id is a different room.
    a.roomId = QStringLiteral("another-room");
    sendFrom(QHostAddress::LocalHost, Confab::Discovery::encode(a), finder.port());
    QTRY_COMPARE(finder.rooms()->rowCount(), 2);
}

void TestBeaconFinder::closingRemovesAtOnce()
{
    // An expiry far beyond the test's patience: only "closing" can remove the room.
    RoomFinder finder(loopbackFinder(10 * 60 * 1000));
    QVERIFY(finder.start());
    QTemporaryDir dir;
    RoomServer server(announcingConfig(dir.path(), finder.port(), QStringLiteral("Porch")));
    QVERIFY(server.start());
    QTRY_COMPARE(finder.rooms()->rowCount(), 1);
    QSignalSpy lost(&finder, &RoomFinder::roomLost);
    QSignalSpy stopped(&server, &RoomServer::stopped);
    server.stop();
    QTRY_COMPARE(lost.size(), 1);
    QCOMPARE(finder.rooms()->rowCount(), 0);
    QCOMPARE(lost.first().first().toString(), server.beacon()->roomId());
    QTRY_COMPARE(stopped.size(), 1);
    QVERIFY(!server.beacon()->isRunning());

    // Destroying a running server says goodbye as well.
    QTemporaryDir dir2;
    auto second = std::make_unique<RoomServer>(
        announcingConfig(dir2.path(), finder.port(), QStringLiteral("Shed")));
    QVERIFY(second->start());
    QTRY_COMPARE(finder.rooms()->rowCount(), 1);
    second.reset();
    QTRY_COMPARE(finder.rooms()->rowCount(), 0);
}

void TestBeaconFinder::silentRoomExpires()
{
    const int expiryMs = 600;
    RoomFinder finder(loopbackFinder(expiryMs));
    QVERIFY(finder.start());
    QTemporaryDir dir;
    RoomServer server(announcingConfig(dir.path(), finder.port(), QStringLiteral("Cellar")));
    QVERIFY(server.start());
    QTRY_COMPARE(finder.rooms()->rowCount(), 1);
    // Several rounds heard, and the room stays listed between them.
    QSignalSpy rounds(server.beacon(), &RoomBeacon::announced);
    QTRY_VERIFY(rounds.size() >= 8);
    QCOMPARE(finder.rooms()->rowCount(), 1);

    // As if the host crashed: no closing announcement.
    QElapsedTimer silent;
    silent.start();
    server.beacon()->stop(RoomBeacon::Farewell::Skip);
    QTRY_COMPARE_WITH_TIMEOUT(finder.rooms()->rowCount(), 0, 5000);
    QVERIFY2(silent.elapsed() >= expiryMs - 150, qPrintable(QString::number(silent.elapsed())));
}

void TestBeaconFinder::garbageIsIgnored()
{
    RoomFinder finder(loopbackFinder(2000));
    QVERIFY(finder.start());
    const QList<QByteArray> garbage = {
        QByteArray(),
        QByteArray("hello"),
        QByteArray("{\"confab\":1}"),
        QByteArray(
            R"({"confab":1,"roomId":"x","room":"A","port":99999,"version":1,"members":0,"password":false,"tls":false})"),
        QByteArray(
            R"({"confab":1,"roomId":"x","room":"A","port":80,"version":1,"members":"many","password":false,"tls":false})"),
        QByteArray(2000, '{'),
        QByteArray(60000, 'x'),
        QByteArray("\xc3\x28\xa0\xa1", 4),
        QByteArray("[{\"confab\":1}]"),
        QByteArray("{\"confab\":1,\"roomId\":\"x\",\"room\":\"A\"") + QByteArray(5000, ' ') + '}',
    };
    QUdpSocket socket;
    for (const QByteArray &g : garbage)
        socket.writeDatagram(g, QHostAddress::LocalHost, finder.port());
    QTRY_COMPARE(finder.ignoredCount(), int(garbage.size()));
    QCOMPARE(finder.rooms()->rowCount(), 0);

    // Still listening, and a good one after all that is heard.
    Announcement a;
    a.roomId = QStringLiteral("good");
    a.room = QStringLiteral("Good");
    a.port = 4000;
    socket.writeDatagram(Confab::Discovery::encode(a), QHostAddress::LocalHost, finder.port());
    QTRY_COMPARE(finder.rooms()->rowCount(), 1);
}

void TestBeaconFinder::roomIdSurvivesRestart()
{
    QTemporaryDir dir;
    QString error;
    const QString id = RoomBeacon::loadRoomId(dir.path(), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(Confab::Discovery::isValidRoomId(id));
    QCOMPARE(RoomBeacon::loadRoomId(dir.path()), id);

    RoomFinder finder(loopbackFinder(2000));
    QVERIFY(finder.start());
    {
        RoomServer server(announcingConfig(dir.path(), finder.port(), QStringLiteral("Den")));
        QVERIFY(server.start());
        QCOMPARE(server.beacon()->roomId(), id);
    }
    // Another data directory is another room.
    QTemporaryDir other;
    QVERIFY(RoomBeacon::loadRoomId(other.path()) != id);
    // A damaged file is replaced.
    QFile file(dir.filePath(QStringLiteral("room-id")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("not/an id\n");
    file.close();
    const QString fresh = RoomBeacon::loadRoomId(dir.path());
    QVERIFY(Confab::Discovery::isValidRoomId(fresh));
    QCOMPARE(RoomBeacon::loadRoomId(dir.path()), fresh);
}

void TestBeaconFinder::noAnnounceOption()
{
    QCommandLineParser parser;
    ServerOptions::addTo(parser);
    QVERIFY(parser.parse({ QStringLiteral("confab") }));
    QVERIFY(ServerOptions::read(parser).config.announce);
    QVERIFY(parser.parse({ QStringLiteral("confab"), QStringLiteral("--no-announce") }));
    QVERIFY(!ServerOptions::read(parser).config.announce);

    RoomFinder finder(loopbackFinder(2000));
    QVERIFY(finder.start());
    QTemporaryDir dir;
    ServerConfig config = announcingConfig(dir.path(), finder.port(), QStringLiteral("Quiet"));
    config.announce = false;
    RoomServer server(config);
    QVERIFY(server.start());
    QVERIFY(!server.beacon());
    // A room that does announce, started after it, is the only one heard.
    QTemporaryDir dir2;
    RoomServer loud(announcingConfig(dir2.path(), finder.port(), QStringLiteral("Loud")));
    QVERIFY(loud.start());
    QTRY_COMPARE(finder.rooms()->rowCount(), 1);
    QCOMPARE(roomData(finder, 0, RoomListModel::NameRole).toString(), QStringLiteral("Loud"));
}

void TestBeaconFinder::multicastInPrivateNetworkNamespace()
{
    // The real path: default targets (the multicast group), the default port, a finder
    // that joins the group. Done in a network namespace of this process's own, where
    // loopback may multicast, so nothing reaches any real network or other test.
    if (::unshare(CLONE_NEWNET) != 0)
        QSKIP("cannot create a network namespace (needs root or CAP_SYS_ADMIN); the "
              "multicast path is covered only by the loopback-port tests above");
    const auto ip = [](const QStringList &args) {
        QProcess p;
        p.start(QStringLiteral("ip"), args);
        return p.waitForFinished(5000) && p.exitStatus() == QProcess::NormalExit
            && p.exitCode() == 0;
    };
    if (!ip({ QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("lo"),
              QStringLiteral("up"), QStringLiteral("multicast"), QStringLiteral("on") }))
        QSKIP("the `ip` tool (iproute2) is missing or failed in the new namespace");
    QVERIFY(ip({ QStringLiteral("addr"), QStringLiteral("add"), QStringLiteral("10.77.0.1/32"),
                 QStringLiteral("dev"), QStringLiteral("lo") }));

    RoomFinder finder; // every default: port 26633, group 239.255.77.77
    QVERIFY2(finder.start(), qPrintable(finder.errorString()));
    // A second window on the same machine listens too.
    RoomFinder secondWindow;
    QVERIFY2(secondWindow.start(), qPrintable(secondWindow.errorString()));

    QTemporaryDir dir;
    ServerConfig config;
    config.bindAddress = QHostAddress::LocalHost;
    config.port = 0;
    config.dataDir = dir.path();
    config.roomName = QStringLiteral("Namespace");
    config.announceIntervalMs = 200;
    RoomServer server(config);
    QVERIFY(server.start());
    QTRY_COMPARE(finder.rooms()->rowCount(), 1);
    QTRY_COMPARE(secondWindow.rooms()->rowCount(), 1);
    QCOMPARE(roomData(finder, 0, RoomListModel::NameRole).toString(), QStringLiteral("Namespace"));
    QCOMPARE(roomData(finder, 0, RoomListModel::AddressRole).toString(),
             QStringLiteral("127.0.0.1:%1").arg(server.port()));

    // Heard from a LAN-like address as well: one row, and that address is offered first.
    Announcement a;
    a.roomId = server.beacon()->roomId();
    a.room = config.roomName;
    a.port = server.port();
    QUdpSocket lan;
    QVERIFY(lan.bind(QHostAddress(QStringLiteral("10.77.0.1")), 0));
    lan.setMulticastInterface(QNetworkInterface::interfaceFromName(QStringLiteral("lo")));
    lan.writeDatagram(Confab::Discovery::encode(a),
                      QHostAddress(QString::fromLatin1(Confab::Discovery::GroupAddress)),
                      Confab::Discovery::Port);
    QTRY_COMPARE(roomData(finder, 0, RoomListModel::AddressRole).toString(),
                 QStringLiteral("10.77.0.1:%1").arg(server.port()));
    QCOMPARE(finder.rooms()->rowCount(), 1);

    server.stop();
    QTRY_COMPARE(finder.rooms()->rowCount(), 0);
    QTRY_COMPARE(secondWindow.rooms()->rowCount(), 0);
}

QTEST_GUILESS_MAIN(TestBeaconFinder)
#include "tst_beacon_finder.moc"

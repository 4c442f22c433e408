// RoomAddress: the forms people type to join a room, and clear refusals for the rest.

#include "app/core/roomaddress.h"
#include "common/protocol.h"

#include <QTest>

class TestRoomAddress final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void accepts_data();
    void accepts();
    void refuses_data();
    void refuses();
};

void TestRoomAddress::accepts_data()
{
    QTest::addColumn<QString>("typed");
    QTest::addColumn<QString>("url");
    const QString port = QString::number(Confab::Protocol::DefaultPort);
    QTest::newRow("host") << "192.168.1.20" << "ws://192.168.1.20:" + port;
    QTest::newRow("name") << "  pc-kitchen " << "ws://pc-kitchen:" + port;
    QTest::newRow("host:port") << "192.168.1.20:4000" << "ws://192.168.1.20:4000";
    QTest::newRow("ws url") << "ws://10.0.0.2:4000" << "ws://10.0.0.2:4000";
    QTest::newRow("ws url without port") << "ws://10.0.0.2" << "ws://10.0.0.2:" + port;
    QTest::newRow("wss upper case") << "WSS://example.lan:443" << "wss://example.lan:443";
    QTest::newRow("ipv6") << "[::1]:4000" << "ws://[::1]:4000";
}

void TestRoomAddress::accepts()
{
    QFETCH(QString, typed);
    QFETCH(QString, url);
    const RoomAddress::Parsed parsed = RoomAddress::parse(typed);
    QVERIFY2(parsed.ok(), qPrintable(parsed.error));
    QCOMPARE(parsed.url.toString(), url);
}

void TestRoomAddress::refuses_data()
{
    QTest::addColumn<QString>("typed");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("empty") << "   " << "address";
    QTest::newRow("http") << "http://192.168.1.20" << "http";
    QTest::newRow("port zero") << "host:0" << "65535";
    QTest::newRow("port too big") << "host:70000" << "host:70000";
    QTest::newRow("spaces") << "my room" << "my room";
}

void TestRoomAddress::refuses()
{
    QFETCH(QString, typed);
    QFETCH(QString, mentions);
    const RoomAddress::Parsed parsed = RoomAddress::parse(typed);
    QVERIFY(!parsed.ok());
    QVERIFY(parsed.url.isEmpty());
    QVERIFY2(parsed.error.contains(mentions), qPrintable(parsed.error));
}

QTEST_GUILESS_MAIN(TestRoomAddress)
#include "tst_roomaddress.moc"

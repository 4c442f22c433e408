#pragma once

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QTcpServer>

class QTcpSocket;

// A TCP relay between a client under test and a server, so that a test can cut the network
// path the way a pulled cable or a Wi-Fi drop would, and later restore it on the same port.
class TcpProxy final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TcpProxy)

public:
    enum class Cut {
        BothSides, // both ends see the connection reset
        ClientSideOnly, // the client is cut off; the server's side stays open (half-open)
    };

    TcpProxy(const QHostAddress &targetAddress, quint16 targetPort, QObject *parent = nullptr);
    ~TcpProxy() override;

    bool listen(quint16 port = 0);
    void stopListening() { m_server.close(); }
    // Drops every relayed connection; new ones are still accepted while listening.
    void cut(Cut how);
    // While set, what the server sends is still seen (serverTextFrame) but no longer reaches
    // the client, as if the acks were lost on the way.
    void setServerDataDropped(bool dropped) { m_serverDataDropped = dropped; }
    quint16 port() const { return m_port; }
    int connectionCount() const { return int(m_links.size()); }

Q_SIGNALS:
    // One text frame the server sent to a client (after the HTTP upgrade); lets a test see
    // exactly what went over the wire, which a deduplicating client model would hide.
    void serverTextFrame(const QByteArray &payload);

private:
    struct Link
    {
        QTcpSocket *client = nullptr;
        QTcpSocket *server = nullptr;
        QByteArray pending; // from the client, before the server side is connected
        QByteArray fromServer; // not yet parsed into frames
        bool upgraded = false; // past the server's HTTP 101 response
    };

    void onNewConnection();
    void drop(Link *link);
    void parseServerBytes(Link *link, const QByteArray &data);

    QTcpServer m_server;
    QHostAddress m_targetAddress;
    quint16 m_targetPort;
    quint16 m_port = 0;
    bool m_serverDataDropped = false;
    QList<Link *> m_links;
    QList<QTcpSocket *> m_orphans; // server sides kept open after a client-side-only cut
};

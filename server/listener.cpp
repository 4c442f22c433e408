#include "server/listener.h"

#include "server/directtcpserver.h"
#include "server/roomserver.h"
#include "server/tlsidentity.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QSslConfiguration>
#include <QSslServer>
#include <QSslSocket>
#include <QTcpServer>

Q_DECLARE_LOGGING_CATEGORY(lcTls)

namespace {

TlsIdentity loadIdentity(const ServerConfig &config, QString *error)
{
    if (!config.tlsCertFile.isEmpty() || !config.tlsKeyFile.isEmpty()) {
        if (config.tlsCertFile.isEmpty() || config.tlsKeyFile.isEmpty()) {
            *error = QCoreApplication::translate(
                "Listener", "TLS needs both a certificate file and a private key file.");
            return {};
        }
        return TlsIdentity::load(config.tlsCertFile, config.tlsKeyFile, error);
    }
    const QString dataDir
        = config.dataDir.isEmpty() ? RoomServer::defaultDataDir() : config.dataDir;
    return TlsIdentity::ensureSelfSigned(dataDir, error);
}

} // namespace

bool isTlsRequested(const ServerConfig &config)
{
    return config.tlsSelfSigned || !config.tlsCertFile.isEmpty() || !config.tlsKeyFile.isEmpty();
}

bool isTlsListener(const QTcpServer *listener)
{
    return qobject_cast<const QSslServer *>(listener) != nullptr;
}

QTcpServer *createListener(const ServerConfig &config, QObject *parent, QString *error)
{
    if (!isTlsRequested(config))
        return new DirectTcpServer(parent); // no idle write buffer per connection

    if (!QSslSocket::supportsSsl()) {
        *error = QCoreApplication::translate("Listener",
                                            "This system has no TLS library that Qt can use "
                                            "(%1), so the room cannot offer wss://.")
                     .arg(QSslSocket::sslLibraryBuildVersionString());
        return nullptr;
    }
    const TlsIdentity identity = loadIdentity(config, error);
    if (identity.isNull())
        return nullptr;

    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setProtocol(QSsl::TlsV1_2OrLater);
    tls.setLocalCertificate(identity.certificate());
    if (!identity.chain().isEmpty())
        tls.setLocalCertificateChain(QList<QSslCertificate> { identity.certificate() }
                                     + identity.chain());
    tls.setPrivateKey(identity.privateKey());
    tls.setPeerVerifyMode(QSslSocket::VerifyNone); // members are not asked for certificates

    auto *server = new QSslServer(parent);
    server->setSslConfiguration(tls);
    // A peer that opens TCP and never finishes the TLS handshake is dropped after the same
    // time it would get to say hello; QSslServer (6.4) otherwise waits 5 s.
    server->setHandshakeTimeout(config.helloTimeoutMs);
    QObject::connect(server, &QSslServer::errorOccurred, server,
                     [](QSslSocket *socket, QAbstractSocket::SocketError error) {
                         qCDebug(lcTls).noquote()
                             << "TLS handshake failed:" << error << socket->errorString();
                     });
    qCInfo(lcTls).noquote()
        << "wss:// with certificate" << identity.certificate().subjectDisplayName() << "SHA-256"
        << identity.certificate().digest(QCryptographicHash::Sha256).toHex(':').toUpper();
    return server;
}

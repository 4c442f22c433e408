#include "server/tlsidentity.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSaveFile>
#include <QSysInfo>
#include <QUrl>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

Q_LOGGING_CATEGORY(lcTls, "confab.server.tls")

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("TlsIdentity", text);
}

template<typename T, void (*Free)(T *)> struct Deleter
{
    void operator()(T *p) const { Free(p); }
};
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using PKey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using PKeyCtx = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BigNum = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using Extension = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;
using GeneralNames = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES, GENERAL_NAMES_free>>;

// libcrypto keeps a per-thread error queue that Qt's TLS backend reads too; leave it empty.
struct ClearOpenSslErrors
{
    ~ClearOpenSslErrors() { ERR_clear_error(); }
};

QString openSslError()
{
    const unsigned long code = ERR_peek_last_error();
    if (!code)
        return QCoreApplication::translate("TlsIdentity", "unknown OpenSSL error");
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    return QString::fromLatin1(text);
}

// Never let OpenSSL prompt on the terminal for a passphrase.
int noPassphrase(char *, int, int, void *)
{
    return -1;
}

QByteArray bioContents(BIO *bio)
{
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return QByteArray(data, size);
}

bool readFile(const QString &path, const char *what, QByteArray *contents, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QCoreApplication::translate("TlsIdentity", "Cannot read the %1 file %2: %3.")
                     .arg(QLatin1String(what), QDir::toNativeSeparators(path), file.errorString());
        return false;
    }
    // Far larger than any PEM certificate chain or key; guards against a wrong path.
    *contents = file.read(1024 * 1024);
    return true;
}

bool writeFile(const QString &path, const QByteArray &contents,
               QFileDevice::Permissions permissions, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || !file.setPermissions(permissions)
        || file.write(contents) != contents.size() || !file.commit()) {
        *error = QCoreApplication::translate("TlsIdentity", "Cannot write %1: %2.")
                     .arg(QDir::toNativeSeparators(path), file.errorString());
        return false;
    }
    // QSaveFile keeps an existing file's permissions; make sure of ours.
    if (!QFile::setPermissions(path, permissions)) {
        *error = QCoreApplication::translate("TlsIdentity", "Cannot set the permissions of %1.")
                     .arg(QDir::toNativeSeparators(path));
        return false;
    }
    return true;
}

bool addExtension(X509 *cert, X509V3_CTX *context, int nid, const char *value)
{
    Extension ext(X509V3_EXT_conf_nid(nullptr, context, nid, value));
    return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

bool addName(GENERAL_NAMES *names, int type, ASN1_STRING *value)
{
    if (!value)
        return false;
    GENERAL_NAME *name = GENERAL_NAME_new();
    if (!name) {
        ASN1_STRING_free(value);
        return false;
    }
    GENERAL_NAME_set0_value(name, type, value);
    if (!sk_GENERAL_NAME_push(names, name)) {
        GENERAL_NAME_free(name);
        return false;
    }
    return true;
}

bool addDnsName(GENERAL_NAMES *names, const QByteArray &dns)
{
    ASN1_IA5STRING *value = ASN1_IA5STRING_new();
    if (value && !ASN1_STRING_set(value, dns.constData(), int(dns.size()))) {
        ASN1_IA5STRING_free(value);
        return false;
    }
    return addName(names, GEN_DNS, value);
}

// A host name fit for a DNS subjectAltName, or empty when the machine's name is not one.
QByteArray dnsName(const QString &hostName)
{
    const QByteArray ace = QUrl::toAce(hostName.trimmed().toLower());
    if (ace.isEmpty() || ace.size() > 253)
        return {};
    for (const char c : ace) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
        if (!ok)
            return {};
    }
    return ace;
}

QSsl::KeyAlgorithm qtAlgorithm(const EVP_PKEY *key)
{
    switch (EVP_PKEY_base_id(key)) {
    case EVP_PKEY_RSA:
        return QSsl::Rsa;
    case EVP_PKEY_EC:
        return QSsl::Ec;
    case EVP_PKEY_DSA:
        return QSsl::Dsa;
    default:
        return QSsl::Opaque;
    }
}

} // namespace

QString TlsIdentity::selfSignedCertPath(const QString &dataDir)
{
    return QDir(dataDir).filePath(QStringLiteral("tls/cert.pem"));
}

QString TlsIdentity::selfSignedKeyPath(const QString &dataDir)
{
    return QDir(dataDir).filePath(QStringLiteral("tls/key.pem"));
}

QByteArray TlsIdentity::certificatePem() const
{
    QByteArray pem = m_certificate.toPem();
    for (const QSslCertificate &cert : m_chain)
        pem += cert.toPem();
    return pem;
}

TlsIdentity TlsIdentity::load(const QString &certFile, const QString &keyFile, QString *error)
{
    ClearOpenSslErrors clearErrors;
    const QString certName = QDir::toNativeSeparators(certFile);
    const QString keyName = QDir::toNativeSeparators(keyFile);
    QByteArray certPem;
    QByteArray keyPem;
    if (!readFile(certFile, "TLS certificate", &certPem, error)
        || !readFile(keyFile, "TLS private key", &keyPem, error))
        return {};

    const QList<QSslCertificate> certs = QSslCertificate::fromData(certPem, QSsl::Pem);
    if (certs.isEmpty() || certs.first().isNull()) {
        *error = tr("%1 holds no PEM certificate (a block starting with "
                    "\"-----BEGIN CERTIFICATE-----\").")
                     .arg(certName);
        return {};
    }
    const QSslCertificate &leaf = certs.first();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (leaf.expiryDate() < now) {
        *error = tr("The certificate in %1 expired on %2.")
                     .arg(certName, leaf.expiryDate().toString(Qt::ISODate));
        return {};
    }
    if (leaf.effectiveDate() > now) {
        *error = tr("The certificate in %1 is not valid before %2.")
                     .arg(certName, leaf.effectiveDate().toString(Qt::ISODate));
        return {};
    }

    if (keyPem.contains("ENCRYPTED")) {
        *error = tr("The private key in %1 is protected by a passphrase; Confab needs it "
                    "unencrypted (openssl pkey -in KEY -out PLAIN-KEY), readable only by the "
                    "room's user.")
                     .arg(keyName);
        return {};
    }
    Bio keyBio(BIO_new_mem_buf(keyPem.constData(), int(keyPem.size())));
    PKey key(keyBio ? PEM_read_bio_PrivateKey(keyBio.get(), nullptr, noPassphrase, nullptr)
                    : nullptr);
    if (!key) {
        *error = tr("%1 holds no PEM private key (a block starting with "
                    "\"-----BEGIN PRIVATE KEY-----\").")
                     .arg(keyName);
        return {};
    }
    const QByteArray der = leaf.toDer();
    const auto *derData = reinterpret_cast<const unsigned char *>(der.constData());
    X509Ptr x509(d2i_X509(nullptr, &derData, long(der.size())));
    if (!x509) {
        *error = tr("Cannot read the certificate in %1: %2.").arg(certName, openSslError());
        return {};
    }
    if (X509_check_private_key(x509.get(), key.get()) != 1) {
        *error = tr("The private key in %1 does not belong to the certificate in %2.")
                     .arg(keyName, certName);
        return {};
    }
    const QSsl::KeyAlgorithm algorithm = qtAlgorithm(key.get());
    if (algorithm == QSsl::Opaque) {
        *error = tr("The private key in %1 is of a kind Confab cannot use; use an RSA or EC "
                    "(P-256) key.")
                     .arg(keyName);
        return {};
    }
    // Written out again as PKCS#8, which Qt reads whatever form the file was in.
    Bio out(BIO_new(BIO_s_mem()));
    if (!out
        || PEM_write_bio_PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr)
            != 1) {
        *error = tr("Cannot read the private key in %1: %2.").arg(keyName, openSslError());
        return {};
    }
    TlsIdentity identity;
    identity.m_keyPem = bioContents(out.get());
    identity.m_key = QSslKey(identity.m_keyPem, algorithm, QSsl::Pem, QSsl::PrivateKey);
    if (identity.m_key.isNull()) {
        *error = tr("Qt's TLS backend cannot use the private key in %1.").arg(keyName);
        return {};
    }
    identity.m_certificate = leaf;
    identity.m_chain = certs.mid(1);
    return identity;
}

TlsIdentity TlsIdentity::generateSelfSigned(const QString &hostName, QString *error)
{
    ClearOpenSslErrors clearErrors;
    const auto fail = [error](const char *step) {
        *error = tr("Cannot make a self-signed certificate (%1): %2.")
                     .arg(QLatin1String(step), openSslError());
        return TlsIdentity();
    };

    PKey key;
    {
        PKeyCtx context(EVP_PKEY_CTX_new_id(EVP_PKEY_EC, nullptr));
        EVP_PKEY *generated = nullptr;
        if (!context || EVP_PKEY_keygen_init(context.get()) <= 0
            || EVP_PKEY_CTX_set_ec_paramgen_curve_nid(context.get(), NID_X9_62_prime256v1) <= 0
            || EVP_PKEY_CTX_set_ec_param_enc(context.get(), OPENSSL_EC_NAMED_CURVE) <= 0
            || EVP_PKEY_keygen(context.get(), &generated) <= 0)
            return fail("key");
        key.reset(generated);
    }

    X509Ptr cert(X509_new());
    if (!cert || X509_set_version(cert.get(), 2) != 1) // v3
        return fail("certificate");
    BigNum serial(BN_new());
    if (!serial || BN_rand(serial.get(), 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1
        || !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())))
        return fail("serial number");
    // An hour back, for members whose clocks run a little behind the host's.
    if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600)
        || !X509_time_adj_ex(X509_getm_notAfter(cert.get()), 3653, 0, nullptr))
        return fail("validity");
    X509_NAME *name = X509_get_subject_name(cert.get());
    if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char *>("Confab room"), -1, -1,
                                   0)
            != 1
        || X509_set_issuer_name(cert.get(), name) != 1
        || X509_set_pubkey(cert.get(), key.get()) != 1)
        return fail("name");

    // No keyUsage extension: with one lacking keyCertSign, OpenSSL (and so Qt) would not
    // count the certificate as issued by itself.
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, cert.get(), cert.get(), nullptr, nullptr, 0);
    if (!addExtension(cert.get(), &context, NID_basic_constraints, "critical,CA:FALSE")
        || !addExtension(cert.get(), &context, NID_ext_key_usage, "serverAuth")
        || !addExtension(cert.get(), &context, NID_subject_key_identifier, "hash"))
        return fail("extensions");

    GeneralNames names(sk_GENERAL_NAME_new_null());
    if (!names)
        return fail("subjectAltName");
    const QByteArray host = dnsName(hostName);
    QList<QByteArray> dnsNames;
    if (!host.isEmpty()) {
        dnsNames.append(host);
        // LAN members often reach the host by its mDNS name.
        if (!host.contains('.'))
            dnsNames.append(host + ".local");
    }
    if (host != "localhost")
        dnsNames.append("localhost");
    for (const QByteArray &dns : std::as_const(dnsNames)) {
        if (!addDnsName(names.get(), dns))
            return fail("subjectAltName");
    }
    for (const char *ip : { "127.0.0.1", "::1" }) {
        if (!addName(names.get(), GEN_IPADD, a2i_IPADDRESS(ip)))
            return fail("subjectAltName");
    }
    if (X509_add1_ext_i2d(cert.get(), NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT)
        != 1)
        return fail("subjectAltName");

    if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0)
        return fail("signature");

    Bio certOut(BIO_new(BIO_s_mem()));
    Bio keyOut(BIO_new(BIO_s_mem()));
    if (!certOut || !keyOut || PEM_write_bio_X509(certOut.get(), cert.get()) != 1
        || PEM_write_bio_PrivateKey(keyOut.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr)
            != 1)
        return fail("PEM");

    TlsIdentity identity;
    identity.m_certificate = QSslCertificate(bioContents(certOut.get()), QSsl::Pem);
    identity.m_keyPem = bioContents(keyOut.get());
    identity.m_key = QSslKey(identity.m_keyPem, QSsl::Ec, QSsl::Pem, QSsl::PrivateKey);
    if (identity.isNull()) {
        *error = tr("Qt's TLS backend cannot read the certificate Confab made.");
        return {};
    }
    return identity;
}

TlsIdentity TlsIdentity::ensureSelfSigned(const QString &dataDir, QString *error)
{
    const QString certPath = selfSignedCertPath(dataDir);
    const QString keyPath = selfSignedKeyPath(dataDir);
    const bool hasCert = QFileInfo::exists(certPath);
    const bool hasKey = QFileInfo::exists(keyPath);
    if (hasCert && hasKey) {
        TlsIdentity identity = load(certPath, keyPath, error);
        if (identity.isNull())
            *error = tr("The room's self-signed certificate cannot be used. %1 To make a new "
                        "one, delete %2 and %3; members who joined before will then be warned "
                        "that the room's certificate changed.")
                         .arg(*error, QDir::toNativeSeparators(certPath),
                              QDir::toNativeSeparators(keyPath));
        return identity;
    }
    // Half a pair is an interrupted first run (the key is written first) or a deleted
    // key; either way no member can have trusted a certificate served with it.
    if (hasCert || hasKey)
        qCWarning(lcTls).noquote() << "replacing the incomplete self-signed pair in"
                                   << QDir::toNativeSeparators(QFileInfo(certPath).path());

    const QString tlsDir = QFileInfo(certPath).path();
    if (!QDir().mkpath(tlsDir)
        || !QFile::setPermissions(
            tlsDir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner)) {
        *error = tr("Cannot create the directory %1 for the room's certificate.")
                     .arg(QDir::toNativeSeparators(tlsDir));
        return {};
    }
    TlsIdentity identity = generateSelfSigned(QSysInfo::machineHostName(), error);
    if (identity.isNull())
        return {};
    if (!writeFile(keyPath, identity.privateKeyPem(),
                   QFileDevice::ReadOwner | QFileDevice::WriteOwner, error)
        || !writeFile(certPath, identity.certificatePem(),
                      QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup
                          | QFileDevice::ReadOther,
                      error))
        return {};
    qCInfo(lcTls).noquote() << "made a self-signed certificate in"
                            << QDir::toNativeSeparators(certPath);
    return identity;
}

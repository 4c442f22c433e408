#include "app/ui/settingsdialog.h"

#include "app/ui/settings.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

SettingsDialog::SettingsDialog(Settings *settings, QWidget *parent)
    : QDialog(parent)
    , m_settings(settings)
    , m_language(new QComboBox)
    , m_muted(new QCheckBox(tr("&Mute notifications of new messages")))
    , m_downloads(new QLineEdit(settings->downloadDirectory()))
    , m_restartNote(new QLabel(tr("The new language is used the next time Confab starts.")))
    , m_startLanguage(settings->language())
{
    setWindowTitle(tr("Settings"));
    setObjectName(QStringLiteral("settingsDialog"));
    m_language->setObjectName(QStringLiteral("language"));
    // Each language named in itself, so that someone who cannot read the current one
    // still finds theirs.
    m_language->addItem(tr("System language"), QStringLiteral("system"));
    m_language->addItem(QStringLiteral("English"), QStringLiteral("en"));
    m_language->addItem(QStringLiteral("한국어"), QStringLiteral("ko"));
    m_language->setCurrentIndex(qMax(0, m_language->findData(m_startLanguage)));
    m_muted->setObjectName(QStringLiteral("muted"));
    m_muted->setChecked(settings->notificationsMuted());
    m_restartNote->setObjectName(QStringLiteral("restartNote"));
    m_restartNote->setWordWrap(true);
    m_restartNote->setVisible(false);

    auto *form = new QFormLayout;
    form->addRow(tr("&Language:"), m_language);
    form->addRow(QString(), m_restartNote);
    form->addRow(QString(), m_muted);
    m_downloads->setObjectName(QStringLiteral("downloadDirectory"));
    auto *browse = new QPushButton(tr("&Browse…"));
    auto *downloadsRow = new QHBoxLayout;
    downloadsRow->addWidget(m_downloads, 1);
    downloadsRow->addWidget(browse);
    form->addRow(tr("Save files &in:"), downloadsRow);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Save files in"),
                                                              m_downloads->text());
        if (!dir.isEmpty())
            m_downloads->setText(dir);
    });
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addStretch(1);
    layout->addWidget(buttons);

    connect(m_language, &QComboBox::currentIndexChanged, this, [this] {
        m_restartNote->setVisible(m_language->currentData().toString() != m_startLanguage);
    });
}

SettingsDialog::~SettingsDialog() = default;

void SettingsDialog::accept()
{
    m_settings->setLanguage(m_language->currentData().toString());
    m_settings->setNotificationsMuted(m_muted->isChecked());
    m_settings->setDownloadDirectory(m_downloads->text().trimmed());
    m_settings->sync();
    QDialog::accept();
}

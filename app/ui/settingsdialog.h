#pragma once

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class Settings;

// The preferences a user may change by hand: the interface language (applied on the next
// start, and the dialog says so), muting message notifications, and the folder files are
// saved in. Reads from and, on OK,
// writes to the given Settings, which must outlive the dialog.
class SettingsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SettingsDialog)

public:
    explicit SettingsDialog(Settings *settings, QWidget *parent = nullptr);
    ~SettingsDialog() override;

    void accept() override;

private:
    Settings *m_settings;
    QComboBox *m_language;
    QCheckBox *m_muted;
    QLineEdit *m_downloads;
    QLabel *m_restartNote;
    QString m_startLanguage; // what this run uses
};

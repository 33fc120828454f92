//! User agents, as the real tools write them. Each person uses a few; the incident uses one
//! sara never used before (DESIGN's "new user agents").

/// A user agent family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ua {
    ChromeWindows,
    SafariMac,
    FirefoxLinux,
    CliMac,
    CliLinux,
    CliWindows,
    Boto3Linux,
    Terraform,
    JavaSdk,
    NodeLambda,
    GoSdk,
    /// The Python requests library: a stolen key used from a script.
    PythonRequests,
}

impl Ua {
    /// The `userAgent` string. `command` feeds the CLI's `md/command#…` suffix.
    pub fn text(self, command: &str) -> String {
        match self {
            Ua::ChromeWindows => "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36".into(),
            Ua::SafariMac => "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15".into(),
            Ua::FirefoxLinux => "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0".into(),
            Ua::CliMac => format!("aws-cli/2.22.4 md/awscrt#0.23.0 ua/2.0 os/macos#24.1.0 md/arch#arm64 lang/python#3.12.7 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#{command}"),
            Ua::CliLinux => format!("aws-cli/2.18.10 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0-48-generic md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#{command}"),
            Ua::CliWindows => format!("aws-cli/2.21.0 md/awscrt#0.22.0 ua/2.0 os/windows#10 md/arch#amd64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#{command}"),
            Ua::Boto3Linux => "Boto3/1.35.70 md/Botocore#1.35.70 ua/2.0 os/linux#5.10.228-219.884.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.7 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.70".into(),
            Ua::Terraform => "APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.80.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.6 ua/2.1 os/linux lang/go#1.23.3 md/GOOS#linux md/GOARCH#amd64".into(),
            Ua::JavaSdk => "aws-sdk-java/2.29.15 Linux/5.10.227-239.884.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/21.0.5+11-LTS Java/21.0.5 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy".into(),
            Ua::NodeLambda => "aws-sdk-js/3.699.0 ua/2.1 os/linux#5.10.227-239.884.amzn2.x86_64 lang/js md/nodejs#20.18.0 exec-env/AWS_Lambda_nodejs20.x".into(),
            Ua::GoSdk => "aws-sdk-go-v2/1.32.6 ua/2.1 os/linux lang/go#1.23.3 md/GOOS#linux md/GOARCH#amd64".into(),
            Ua::PythonRequests => "python-requests/2.32.3 Boto3/1.35.0 Botocore/1.35.0".into(),
        }
    }

    /// Whether calls with this agent come from the AWS console (a browser).
    pub fn is_console(self) -> bool {
        matches!(self, Ua::ChromeWindows | Ua::SafariMac | Ua::FirefoxLinux)
    }
}

/// The CLI's `md/command#service.operation` suffix for an API call (`ec2.describe-instances`).
pub fn cli_command(service: &str, api: &str) -> String {
    let mut s = String::with_capacity(service.len() + api.len() + 8);
    s.push_str(service);
    s.push('.');
    for (i, c) in api.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                s.push('-');
            }
            s.push(c.to_ascii_lowercase());
        } else {
            s.push(c);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_commands_are_kebab_case() {
        assert_eq!(
            cli_command("ec2", "DescribeInstances"),
            "ec2.describe-instances"
        );
        assert!(
            Ua::CliMac
                .text("sts.assume-role")
                .ends_with("md/command#sts.assume-role")
        );
    }
}

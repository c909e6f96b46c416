//! The sales pipeline's stages, in order (DESIGN.md, "Pipeline").

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Open,
    DetailsSent,
    InCommunication,
    Visited,
    SignedEoiNda,
    #[serde(rename = "deposit_10pct")]
    Deposit10pct,
    Contract,
    Completed,
}

impl Stage {
    /// Every stage from first to last; the order is the pipeline's.
    pub const ALL: [Stage; 8] = [
        Stage::Open,
        Stage::DetailsSent,
        Stage::InCommunication,
        Stage::Visited,
        Stage::SignedEoiNda,
        Stage::Deposit10pct,
        Stage::Contract,
        Stage::Completed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Open => "open",
            Stage::DetailsSent => "details_sent",
            Stage::InCommunication => "in_communication",
            Stage::Visited => "visited",
            Stage::SignedEoiNda => "signed_eoi_nda",
            Stage::Deposit10pct => "deposit_10pct",
            Stage::Contract => "contract",
            Stage::Completed => "completed",
        }
    }

    /// The label shown on the board and in lists.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Open => "Open",
            Stage::DetailsSent => "Details sent",
            Stage::InCommunication => "In communication",
            Stage::Visited => "Visited",
            Stage::SignedEoiNda => "EOI / NDA signed",
            Stage::Deposit10pct => "10% deposit",
            Stage::Contract => "Contract",
            Stage::Completed => "Completed",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown stage name; its message lists the allowed values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown stage `{0}`; allowed: open, details_sent, in_communication, visited, signed_eoi_nda, deposit_10pct, contract, completed"
)]
pub struct UnknownStage(pub String);

impl FromStr for Stage {
    type Err = UnknownStage;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Stage::ALL
            .into_iter()
            .find(|stage| stage.as_str() == s)
            .ok_or_else(|| UnknownStage(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_round_trip_and_are_ordered() {
        for (i, stage) in Stage::ALL.iter().enumerate() {
            assert_eq!(stage.as_str().parse::<Stage>().unwrap(), *stage);
            if i > 0 {
                assert!(Stage::ALL[i - 1] < *stage);
            }
        }
        assert!(
            "won"
                .parse::<Stage>()
                .unwrap_err()
                .to_string()
                .contains("deposit_10pct")
        );
    }
}
